import type { Principal } from '../auth/principal.js';
import type { OrgDirectory, TeamView } from './org-directory.js';
import { assertForTeam, assertInOrg } from './org-scope.js';

/**
 * The team `/orgs/{org}/teams/{team}` names, after the tenant checks in this order: the caller must be in `{org}`
 * (403 before anything about that org is looked up), the team must exist in it (404), and a team-bound caller must
 * be bound to it (403).
 */
export async function targetTeam(
  orgs: Pick<OrgDirectory, 'getTeam'>,
  caller: Principal,
  params: { readonly org: string; readonly team: string },
): Promise<TeamView> {
  assertInOrg(caller, params.org);
  const team = await orgs.getTeam(params.org, params.team);
  assertForTeam(caller, params.org, team.id);
  return team;
}
