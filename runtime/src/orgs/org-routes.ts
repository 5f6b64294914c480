import type { Express } from 'express';
import { principalOf, requireAuth, requirePermission } from '../auth/middleware.js';
import type { Principal } from '../auth/principal.js';
import { auditContextOf, recordChange } from '../credentials/audit-context.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { assertHeld } from '../credentials/grantable-scopes.js';
import { IssuedTokenSchema } from '../credentials/team-tokens/team-token-schemas.js';
import { ADMIN_TOKEN_PERMISSIONS } from '../credentials/team-tokens/team-token-service.js';
import { teamTokensOf } from '../credentials/team-tokens/team-tokens.js';
import { forbidden } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema, parseWith, z } from '../http/openapi.js';
import { orgDirectoryOf } from './org-directory.js';
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
import { assertInOrg } from './org-scope.js';
import { targetOrgWide } from './target-org.js';
import { targetTeam } from './target-team.js';

const security = ['bearer', 'apiKey', 'cookie'] as const;
const errors = {
  401: { description: '`unauthorized` or `token_expired`', schema: ErrorBodySchema },
  403: {
    description: '`forbidden`: a missing permission, or a target in another org or team',
    schema: ErrorBodySchema,
  },
  404: { description: '`not_found`', schema: ErrorBodySchema },
} as const;

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
export function registerOrgRoutes(app: Express, ctx: AppContext): void {
  const orgs = orgDirectoryOf(ctx);

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/orgs',
    summary: 'Create an organization and its first org admin token (default-org admins only; the token is shown once)',
    tags: ['orgs'],
    security,
    body: { schema: CreateOrgBodySchema },
    responses: {
      201: {
        description: 'The org and its first admin token',
        schema: z.object({ org: OrgSchema, admin_token: IssuedTokenSchema }),
      },
      400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
      409: { description: '`conflict`: the id is taken', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.post('/api/v1/orgs', requirePermission(ctx, 'tokens:manage'), ctx.parse.json, async (req, res) => {
    const caller = principalOf(req);
    assertMayCreateOrgs(caller);
    const body = parseWith(CreateOrgBodySchema, req.body, 'body');
    assertHeld(ADMIN_TOKEN_PERMISSIONS, caller.permissions);
    const org = await orgs.createOrg(body);
    const who = auditContextOf(ctx, req);
    await recordChange(ctx.audit, who, { kind: 'org.created', orgId: org.id, target: org.id });
    const adminToken = await teamTokensOf(ctx).service.issueAdminToken(
      org.id,
      { name: 'Initial admin token' },
      caller,
      who,
    );
    res.status(201).set('Cache-Control', 'no-store').json({ org, admin_token: adminToken });
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/orgs/:org',
    summary: 'Your organization and its token-lifetime policy',
    tags: ['orgs'],
    security,
    params: OrgParamsSchema,
    responses: { 200: { description: 'The org', schema: OrgSchema }, ...errors },
  });
  app.get('/api/v1/orgs/:org', requireAuth(ctx), async (req, res) => {
    const { org } = parseWith(OrgParamsSchema, req.params, 'params');
    assertInOrg(principalOf(req), org);
    res.json(await orgs.getOrg(org));
  });

  ctx.openapi.add({
    method: 'patch',
    path: '/api/v1/orgs/:org',
    summary: 'Change the org name or token-lifetime policy (applies to tokens issued afterwards)',
    tags: ['orgs'],
    security,
    params: OrgParamsSchema,
    body: { schema: UpdateOrgBodySchema },
    responses: { 200: { description: 'The updated org', schema: OrgSchema }, ...errors },
  });
  app.patch('/api/v1/orgs/:org', requirePermission(ctx, 'tokens:manage'), ctx.parse.json, async (req, res) => {
    const org = targetOrgWide(req);
    const body = parseWith(UpdateOrgBodySchema, req.body, 'body');
    const updated = await orgs.updateOrg(org, body);
    await recordChange(ctx.audit, auditContextOf(ctx, req), {
      kind: 'org.updated',
      orgId: org,
      target: org,
      details: body,
    });
    res.json(updated);
  });

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/orgs/:org/teams',
    summary: 'Create a team in your organization',
    tags: ['orgs'],
    security,
    params: OrgParamsSchema,
    body: { schema: CreateTeamBodySchema },
    responses: {
      201: { description: 'Created', schema: TeamSchema },
      409: { description: '`conflict`: the slug is taken', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.post('/api/v1/orgs/:org/teams', requirePermission(ctx, 'tokens:manage'), ctx.parse.json, async (req, res) => {
    const org = targetOrgWide(req);
    const body = parseWith(CreateTeamBodySchema, req.body, 'body');
    const team = await orgs.createTeam(org, body);
    await recordChange(ctx.audit, auditContextOf(ctx, req), {
      kind: 'team.created',
      orgId: org,
      target: team.id,
      details: { slug: team.slug },
    });
    res.status(201).json(team);
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/orgs/:org/teams',
    summary: "List your organization's teams (a team-bound caller sees its own team only)",
    tags: ['orgs'],
    security,
    params: OrgParamsSchema,
    responses: { 200: { description: 'Teams', schema: TeamListSchema }, ...errors },
  });
  app.get('/api/v1/orgs/:org/teams', requirePermission(ctx, 'team:read'), async (req, res) => {
    const { org } = parseWith(OrgParamsSchema, req.params, 'params');
    const caller = principalOf(req);
    assertInOrg(caller, org);
    const teams = await orgs.listTeams(org);
    res.json({ teams: caller.teamId === null ? teams : teams.filter((t) => t.id === caller.teamId) });
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/orgs/:org/teams/:team',
    summary: 'Read a team (team tokens: their own team only)',
    tags: ['orgs'],
    security,
    params: TeamParamsSchema,
    responses: { 200: { description: 'The team', schema: TeamSchema }, ...errors },
  });
  app.get('/api/v1/orgs/:org/teams/:team', requirePermission(ctx, 'team:read'), async (req, res) => {
    res.json(await targetTeam(ctx, req));
  });

  ctx.openapi.add({
    method: 'patch',
    path: '/api/v1/orgs/:org/teams/:team',
    summary: 'Change a team (team tokens: their own team only)',
    tags: ['orgs'],
    security,
    params: TeamParamsSchema,
    body: { schema: UpdateTeamBodySchema },
    responses: { 200: { description: 'The updated team', schema: TeamSchema }, ...errors },
  });
  app.patch('/api/v1/orgs/:org/teams/:team', requirePermission(ctx, 'team:write'), ctx.parse.json, async (req, res) => {
    const team = await targetTeam(ctx, req);
    const body = parseWith(UpdateTeamBodySchema, req.body, 'body');
    const updated = await orgs.renameTeam(team.org_id, team.slug, body.name);
    await recordChange(ctx.audit, auditContextOf(ctx, req), {
      kind: 'team.updated',
      orgId: team.org_id,
      target: team.id,
      details: { name: body.name },
    });
    res.json(updated);
  });
}
