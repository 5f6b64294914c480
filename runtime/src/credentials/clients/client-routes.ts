import type { Express } from 'express';
import { principalOf, requirePermission } from '../../auth/middleware.js';
import type { AppContext } from '../../http/context.js';
import { ErrorBodySchema, parseWith, RATE_LIMITED_RESPONSE } from '../../http/openapi.js';
import { auditContextOf } from '../audit-context.js';
import { apiClientsOf } from './api-clients.js';
import {
  ClientIdParamsSchema,
  ClientListSchema,
  ClientSecretParamsSchema,
  CreateClientBodySchema,
  CreatedClientSchema,
  NewClientSecretSchema,
} from './client-schemas.js';

const PERMISSION = 'clients:manage';
const security = ['bearer', 'apiKey', 'cookie'] as const;
const errors = {
  401: { description: '`unauthorized` or `token_expired`', schema: ErrorBodySchema },
  403: { description: '`forbidden`: lacks `clients:manage`, or a scope it tries to grant', schema: ErrorBodySchema },
  429: RATE_LIMITED_RESPONSE,
} as const;
const notFound = { 404: { description: '`not_found`: no such client in your organization', schema: ErrorBodySchema } };

/**
 * `/api/v1/clients`: API clients for the client-credentials grant. A caller sees and changes only the clients of its
 * own org; a client created by a team-bound caller is bound to that team (its tokens carry the team).
 */
export function registerClientRoutes(app: Express, ctx: AppContext): void {
  const { service } = apiClientsOf(ctx);
  const tokenEndpoint = `${ctx.config.publicUrl}/oauth2/token`;

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/clients',
    summary: 'Create an API client (the secret is in this response only)',
    tags: ['clients'],
    security,
    body: { schema: CreateClientBodySchema },
    responses: {
      201: { description: 'Created', schema: CreatedClientSchema },
      400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.post('/api/v1/clients', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const body = parseWith(CreateClientBodySchema, req.body, 'body');
    const caller = principalOf(req);
    const { client, secret } = await service.create(body, caller, auditContextOf(ctx, req));
    res.status(201).set('Cache-Control', 'no-store').json({
      client_id: client.client_id,
      client_secret: secret.client_secret,
      secret_id: secret.secret_id,
      token_endpoint: tokenEndpoint,
      scopes: client.scopes,
      name: client.name,
      org_id: client.org_id,
      created_at: client.created_at,
    });
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/clients',
    summary: "List your organization's API clients and their active secrets (never a secret)",
    tags: ['clients'],
    security,
    responses: { 200: { description: 'Clients, newest first', schema: ClientListSchema }, ...errors },
  });
  app.get('/api/v1/clients', requirePermission(ctx, PERMISSION), async (req, res) => {
    const caller = principalOf(req);
    res.json({ clients: await service.list({ orgId: caller.orgId, teamId: caller.teamId }) });
  });

  ctx.openapi.add({
    method: 'delete',
    path: '/api/v1/clients/:id',
    summary: 'Delete an API client: its secrets stop working at once on every replica',
    tags: ['clients'],
    security,
    params: ClientIdParamsSchema,
    responses: { 204: { description: 'Deleted' }, ...notFound, ...errors },
  });
  app.delete('/api/v1/clients/:id', requirePermission(ctx, PERMISSION), async (req, res) => {
    const { id } = parseWith(ClientIdParamsSchema, req.params, 'params');
    const caller = principalOf(req);
    await service.delete(caller, id, auditContextOf(ctx, req));
    res.status(204).end();
  });

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/clients/:id/secrets',
    summary: 'Add a second secret for rotation (at most two active; delete the old one when switched)',
    tags: ['clients'],
    security,
    params: ClientIdParamsSchema,
    responses: {
      201: { description: 'The new secret (shown once)', schema: NewClientSecretSchema },
      409: { description: '`conflict`: already two active secrets', schema: ErrorBodySchema },
      ...notFound,
      ...errors,
    },
  });
  app.post('/api/v1/clients/:id/secrets', requirePermission(ctx, PERMISSION), async (req, res) => {
    const { id } = parseWith(ClientIdParamsSchema, req.params, 'params');
    const caller = principalOf(req);
    const secret = await service.addSecret(caller, id, auditContextOf(ctx, req));
    res.status(201).set('Cache-Control', 'no-store').json(secret);
  });

  ctx.openapi.add({
    method: 'delete',
    path: '/api/v1/clients/:id/secrets/:secret_id',
    summary: 'Revoke one secret of an API client, at once on every replica',
    tags: ['clients'],
    security,
    params: ClientSecretParamsSchema,
    responses: { 204: { description: 'Revoked' }, ...notFound, ...errors },
  });
  app.delete('/api/v1/clients/:id/secrets/:secret_id', requirePermission(ctx, PERMISSION), async (req, res) => {
    const params = parseWith(ClientSecretParamsSchema, req.params, 'params');
    const caller = principalOf(req);
    await service.revokeSecret(caller, params.id, params.secret_id, auditContextOf(ctx, req));
    res.status(204).end();
  });
}
