import type { Request } from 'express';
import { principalOf } from '../auth/middleware.js';
import type { AppContext } from '../http/context.js';
import { parseWith } from '../http/openapi.js';
import { orgDirectoryOf, type TeamView } from './org-directory.js';
import { TeamParamsSchema } from './org-schemas.js';
import { assertForTeam, assertInOrg } from './org-scope.js';

/**
 * The team `/orgs/{org}/teams/{team}` names, after the tenant checks in this order: the caller must be in `{org}`
 * (403 before anything about that org is looked up), the team must exist in it (404), and a team-bound caller must
 * be bound to it (403).
 */
export async function targetTeam(ctx: AppContext, req: Request): Promise<TeamView> {
  const params = parseWith(TeamParamsSchema, req.params, 'params');
  const caller = principalOf(req);
  assertInOrg(caller, params.org);
  const team = await orgDirectoryOf(ctx).getTeam(params.org, params.team);
  assertForTeam(caller, params.org, team.id);
  return team;
}
