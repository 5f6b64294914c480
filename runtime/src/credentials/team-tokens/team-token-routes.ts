import { notFound } from '../../errors.js';
import { forbiddenResponse, notFoundResponse } from '../../http/responses.js';
import { type AnyRoute, requires, route } from '../../http/route.js';
import { OrgParamsSchema, TeamParamsSchema } from '../../orgs/org-schemas.js';
import { assertOrgWide } from '../../orgs/org-scope.js';
import type { OrgService } from '../../orgs/org-service.js';
import { targetTeam } from '../../orgs/target-team.js';
import { auditContextOf } from '../audit-context.js';
import {
  IssuedTokenSchema,
  IssueTokenBodySchema,
  RevokeTokenBodySchema,
  TokenListSchema,
  TokenSummarySchema,
} from './team-token-schemas.js';
import type { TeamTokenService } from './team-token-service.js';

const access = requires('tokens:manage');
const tags = ['tokens'];
const tokenNotFound = notFoundResponse();
const issued = {
  201: { description: 'Issued', schema: IssuedTokenSchema },
  403: forbiddenResponse('lacks `tokens:manage` or a granted scope, or the target is in another org or team'),
  404: tokenNotFound,
};
const listed = {
  200: { description: 'Tokens, newest first', schema: TokenListSchema },
  403: forbiddenResponse('lacks `tokens:manage`, or the target is in another org or team'),
  404: tokenNotFound,
};

/**
 * Issuing (shown once), listing and revoking team and admin tokens. Issuing needs `tokens:manage` in the target org;
 * a team-bound caller only reaches its own team. Lifetime: the org policy (`PATCH /api/v1/orgs/{org}`), or shorter
 * with `expires_in_seconds`.
 */
export function teamTokenRoutes(service: TeamTokenService, orgs: OrgService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/orgs/:org/teams/:team/tokens',
      summary: 'Issue a team token (team:read team:write plus granted scopes); the token is shown once',
      tags,
      access,
      params: TeamParamsSchema,
      body: { kind: 'json', schema: IssueTokenBodySchema },
      bodyOptional: true,
      status: 201,
      responses: issued,
      handler: async (req, _res, { params, body = {}, principal }) => {
        const team = await targetTeam(orgs, principal, params);
        return service.issueTeamToken(team.org_id, team.id, body, principal, auditContextOf(req));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:org/teams/:team/tokens',
      summary: "List a team's tokens with their status (never a secret)",
      tags,
      access,
      params: TeamParamsSchema,
      responses: listed,
      handler: async (_req, _res, { params, principal }) => {
        const team = await targetTeam(orgs, principal, params);
        return { tokens: await service.list(team.org_id, 'team', team.id) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/orgs/:org/admin-tokens',
      summary:
        'Issue an org admin token (tokens:manage team:read team:write audit:read plus granted scopes), shown once',
      tags,
      access,
      params: OrgParamsSchema,
      body: { kind: 'json', schema: IssueTokenBodySchema },
      bodyOptional: true,
      status: 201,
      responses: issued,
      handler: (req, _res, { params, body = {}, principal }) => {
        assertOrgWide(principal, params.org);
        return service.issueAdminToken(params.org, body, principal, auditContextOf(req));
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/orgs/:org/admin-tokens',
      summary: "List the org's admin tokens with their status (never a secret)",
      tags,
      access,
      params: OrgParamsSchema,
      responses: listed,
      handler: async (_req, _res, { params, principal }) => {
        assertOrgWide(principal, params.org);
        return { tokens: await service.list(params.org, 'admin', null) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/tokens/revoke',
      summary: 'Revoke a team or admin token of your org by its token_id, at once on every replica (idempotent)',
      tags,
      access,
      body: { kind: 'json', schema: RevokeTokenBodySchema },
      responses: { 200: { description: 'The revoked token', schema: TokenSummarySchema }, 404: tokenNotFound },
      handler: async (req, _res, { body, principal }) => {
        // Found only within the caller's org; a team-bound caller only reaches its own team's tokens.
        const token = await service.get(principal.orgId, body.token_id);
        if (principal.teamId !== null && token.team_id !== principal.teamId) {
          throw notFound(`No token ${body.token_id} in organization ${principal.orgId}`);
        }
        return service.revoke(principal.orgId, body.token_id, auditContextOf(req));
      },
    }),
  ];
}
