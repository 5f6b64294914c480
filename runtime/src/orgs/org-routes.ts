import type { Principal } from '../auth/principal.js';
import { auditContextOf } from '../credentials/audit-context.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { assertHeld } from '../credentials/grantable-scopes.js';
import { IssuedTokenSchema } from '../credentials/team-tokens/team-token-schemas.js';
import { ADMIN_TOKEN_PERMISSIONS, type TeamTokenService } from '../credentials/team-tokens/team-token-service.js';
import { forbidden } from '../errors.js';
import { z } from '../http/openapi.js';
import { conflictResponse, forbiddenResponse, notFoundResponse } from '../http/responses.js';
import { type AnyRoute, requires, route } from '../http/route.js';
import {
  CreateOrgBodySchema,
  CreateTeamBodySchema,
  OrgParamsSchema,
  OrgSchema,
  TeamListSchema,
  TeamParamsSchema,
  TeamSchema,
  UpdateOrgBodySchema,
  UpdateTeamBodySchema,
} from './org-schemas.js';
import { assertInOrg, assertOrgWide } from './org-scope.js';
import type { OrgService } from './org-service.js';
import { targetTeam } from './target-team.js';

const tags = ['orgs'];
/** Every route also checks the target's org (and team) against the caller's. */
const refusals = {
  403: forbiddenResponse('a missing permission, or a target in another org or team'),
  404: notFoundResponse(),
};
const CreatedOrgSchema = z.object({ org: OrgSchema, admin_token: IssuedTokenSchema });

/** Only the deployment's own admins (role `admin` in the `default` org, not a token) create organizations. */
function assertMayCreateOrgs(caller: Principal): void {
  if (caller.orgId !== DEFAULT_ORG_ID || caller.role !== 'admin' || caller.teamId !== null) {
    throw forbidden('Only an admin of the default organization can create organizations', 'not_operator');
  }
}

/**
 * `/api/v1/orgs`: organizations (token-lifetime policy) and their teams. Every route checks the TARGET's org (and
 * team) against the caller's, not only the caller's permission (`org-scope.ts`). Teams are created explicitly
 * (`POST /api/v1/orgs/{org}/teams`), never implicitly by issuing a token, so a typo cannot mint a new team.
 */
export function orgRoutes(orgs: OrgService, teamTokens: TeamTokenService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs',
      summary:
        'Create an organization and its first org admin token (default-org admins only; the token is shown once)',
      tags,
      access: requires('tokens:manage'),
      body: { kind: 'json', schema: CreateOrgBodySchema },
      status: 201,
      responses: {
        201: { description: 'The org and its first admin token', schema: CreatedOrgSchema },
        409: conflictResponse('the id is taken'),
        ...refusals,
      },
      handler: async (req, _res, { body, principal }) => {
        assertMayCreateOrgs(principal);
        assertHeld(ADMIN_TOKEN_PERMISSIONS, principal.permissions);
        const who = auditContextOf(req);
        const org = await orgs.createOrg(body, who);
        const adminToken = await teamTokens.issueAdminToken(org.id, { name: 'Initial admin token' }, principal, who);
        return { org, admin_token: adminToken };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:org',
      summary: 'Your organization and its token-lifetime policy',
      tags,
      access: requires(),
      params: OrgParamsSchema,
      responses: { 200: { description: 'The org', schema: OrgSchema }, ...refusals },
      handler: (_req, _res, { params, principal }) => {
        assertInOrg(principal, params.org);
        return orgs.getOrg(params.org);
      },
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:org',
      summary: 'Change the org name or token-lifetime policy (applies to tokens issued afterwards)',
      tags,
      access: requires('tokens:manage'),
      params: OrgParamsSchema,
      body: { kind: 'json', schema: UpdateOrgBodySchema },
      responses: { 200: { description: 'The updated org', schema: OrgSchema }, ...refusals },
      handler: (req, _res, { params, body, principal }) => {
        assertOrgWide(principal, params.org);
        return orgs.updateOrg(params.org, body, auditContextOf(req));
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:org/teams',
      summary: 'Create a team in your organization',
      tags,
      access: requires('tokens:manage'),
      params: OrgParamsSchema,
      body: { kind: 'json', schema: CreateTeamBodySchema },
      status: 201,
      responses: {
        201: { description: 'Created', schema: TeamSchema },
        409: conflictResponse('the slug is taken'),
        ...refusals,
      },
      handler: (req, _res, { params, body, principal }) => {
        assertOrgWide(principal, params.org);
        return orgs.createTeam(params.org, body, auditContextOf(req));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:org/teams',
      summary: "List your organization's teams (a team-bound caller sees its own team only)",
      tags,
      access: requires('team:read'),
      params: OrgParamsSchema,
      responses: { 200: { description: 'Teams', schema: TeamListSchema }, ...refusals },
      handler: async (_req, _res, { params, principal }) => {
        assertInOrg(principal, params.org);
        const teams = await orgs.listTeams(params.org);
        return { teams: principal.teamId === null ? teams : teams.filter((t) => t.id === principal.teamId) };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:org/teams/:team',
      summary: 'Read a team (team tokens: their own team only)',
      tags,
      access: requires('team:read'),
      params: TeamParamsSchema,
      responses: { 200: { description: 'The team', schema: TeamSchema }, ...refusals },
      handler: (_req, _res, { params, principal }) => targetTeam(orgs, principal, params),
    }),
    route({
      method: 'patch',
      path: '/api/v1/orgs/:org/teams/:team',
      summary: 'Change a team (team tokens: their own team only)',
      tags,
      access: requires('team:write'),
      params: TeamParamsSchema,
      body: { kind: 'json', schema: UpdateTeamBodySchema },
      responses: { 200: { description: 'The updated team', schema: TeamSchema }, ...refusals },
      handler: async (req, _res, { params, body, principal }) => {
        const team = await targetTeam(orgs, principal, params);
        return orgs.renameTeam(team, body.name, auditContextOf(req));
      },
    }),
  ];
}
