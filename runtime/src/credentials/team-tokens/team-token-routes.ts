import type { Express } from 'express';
import { authOf } from '../../auth/authenticator.js';
import { principalOf, requirePermission } from '../../auth/middleware.js';
import { teamTokenResolver } from '../../auth/resolvers/team-token.js';
import { notFound } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { ErrorBodySchema, parseWith } from '../../http/openapi.js';
import { OrgParamsSchema, TeamParamsSchema } from '../../orgs/org-schemas.js';
import { targetOrgWide } from '../../orgs/target-org.js';
import { targetTeam } from '../../orgs/target-team.js';
import { auditContextOf } from '../audit-context.js';
import {
  IssuedTokenSchema,
  IssueTokenBodySchema,
  RevokeTokenBodySchema,
  TokenListSchema,
  TokenSummarySchema,
} from './team-token-schemas.js';
import { teamTokensOf } from './team-tokens.js';

const PERMISSION = 'tokens:manage';
const security = ['bearer', 'apiKey', 'cookie'] as const;
const errors = {
  400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
  401: { description: '`unauthorized` or `token_expired`', schema: ErrorBodySchema },
  403: {
    description: '`forbidden`: lacks `tokens:manage` or a granted scope, or the target is in another org or team',
    schema: ErrorBodySchema,
  },
  404: { description: '`not_found`', schema: ErrorBodySchema },
} as const;

/**
 * Team tokens and org admin tokens (`Authorization: Bearer <tokid>.<toksecret>`): the resolver, issuing (shown once),
 * listing and revoking. Issuing needs `tokens:manage` in the target org; a team-bound caller only reaches its own team.
 * Lifetime: the org policy (`PATCH /api/v1/orgs/{org}`), or shorter with `expires_in_seconds`.
 */
export function registerTeamTokenRoutes(app: Express, ctx: AppContext): void {
  authOf(ctx).register(teamTokenResolver(ctx));
  const { service } = teamTokensOf(ctx);

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/orgs/:org/teams/:team/tokens',
    summary: 'Issue a team token (team:read team:write plus granted scopes); the token is shown once',
    tags: ['tokens'],
    security,
    params: TeamParamsSchema,
    body: { schema: IssueTokenBodySchema },
    responses: { 201: { description: 'Issued', schema: IssuedTokenSchema }, ...errors },
  });
  app.post(
    '/api/v1/orgs/:org/teams/:team/tokens',
    requirePermission(ctx, PERMISSION),
    ctx.parse.json,
    async (req, res) => {
      const team = await targetTeam(ctx, req);
      const body = parseWith(IssueTokenBodySchema, req.body ?? {}, 'body');
      const caller = principalOf(req);
      const issued = await service.issueTeamToken(team.org_id, team.id, body, caller, auditContextOf(ctx, req));
      res.status(201).set('Cache-Control', 'no-store').json(issued);
    },
  );

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/orgs/:org/teams/:team/tokens',
    summary: "List a team's tokens with their status (never a secret)",
    tags: ['tokens'],
    security,
    params: TeamParamsSchema,
    responses: { 200: { description: 'Tokens, newest first', schema: TokenListSchema }, ...errors },
  });
  app.get('/api/v1/orgs/:org/teams/:team/tokens', requirePermission(ctx, PERMISSION), async (req, res) => {
    const team = await targetTeam(ctx, req);
    res.json({ tokens: await service.list(team.org_id, 'team', team.id) });
  });

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/orgs/:org/admin-tokens',
    summary: 'Issue an org admin token (tokens:manage team:read team:write audit:read plus granted scopes), shown once',
    tags: ['tokens'],
    security,
    params: OrgParamsSchema,
    body: { schema: IssueTokenBodySchema },
    responses: { 201: { description: 'Issued', schema: IssuedTokenSchema }, ...errors },
  });
  app.post('/api/v1/orgs/:org/admin-tokens', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const org = targetOrgWide(req);
    const caller = principalOf(req);
    const body = parseWith(IssueTokenBodySchema, req.body ?? {}, 'body');
    const issued = await service.issueAdminToken(org, body, caller, auditContextOf(ctx, req));
    res.status(201).set('Cache-Control', 'no-store').json(issued);
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/orgs/:org/admin-tokens',
    summary: "List the org's admin tokens with their status (never a secret)",
    tags: ['tokens'],
    security,
    params: OrgParamsSchema,
    responses: { 200: { description: 'Tokens, newest first', schema: TokenListSchema }, ...errors },
  });
  app.get('/api/v1/orgs/:org/admin-tokens', requirePermission(ctx, PERMISSION), async (req, res) => {
    const org = targetOrgWide(req);
    res.json({ tokens: await service.list(org, 'admin', null) });
  });

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/tokens/revoke',
    summary: 'Revoke a team or admin token of your org by its token_id, at once on every replica (idempotent)',
    tags: ['tokens'],
    security,
    body: { schema: RevokeTokenBodySchema },
    responses: { 200: { description: 'The revoked token', schema: TokenSummarySchema }, ...errors },
  });
  app.post('/api/v1/tokens/revoke', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const { token_id } = parseWith(RevokeTokenBodySchema, req.body, 'body');
    const caller = principalOf(req);
    // Found only within the caller's org; a team-bound caller only reaches its own team's tokens.
    const token = await service.get(caller.orgId, token_id);
    if (caller.teamId !== null && token.team_id !== caller.teamId) {
      throw notFound(`No token ${token_id} in organization ${caller.orgId}`);
    }
    res.json(await service.revoke(caller.orgId, token_id, auditContextOf(ctx, req)));
  });
}
