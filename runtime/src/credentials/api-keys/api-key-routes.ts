import type { Express, Request } from 'express';
import { authOf } from '../../auth/authenticator.js';
import { principalOf, requirePermission } from '../../auth/middleware.js';
import type { AppContext } from '../../http/context.js';
import { ErrorBodySchema, parseWith, RATE_LIMITED_RESPONSE } from '../../http/openapi.js';
import { invalidationBusFor } from '../../invalidation/bus.js';
import type { AuditContext } from '../audit-context.js';
import { ApiKeyRecords } from './api-key-records.js';
import { ApiKeyResolver } from './api-key-resolver.js';
import {
  ApiKeyIdParamsSchema,
  ApiKeyListSchema,
  ApiKeySummarySchema,
  CreateApiKeyBodySchema,
  DEFAULT_GRACE_PERIOD_SECONDS,
  IssuedApiKeySchema,
  ListApiKeysQuerySchema,
  RotateApiKeyBodySchema,
  RotatedApiKeySchema,
  UpdateApiKeyBodySchema,
} from './api-key-schemas.js';
import { ApiKeyService } from './api-key-service.js';

const PERMISSION = 'api_keys:manage';
const errors = {
  401: { description: '`unauthorized` or `token_expired`', schema: ErrorBodySchema },
  403: { description: '`forbidden`: lacks `api_keys:manage`, or a scope it tries to grant', schema: ErrorBodySchema },
  429: RATE_LIMITED_RESPONSE,
} as const;

/** The `X-API-Key` credential and `/api/v1/api-keys` (create, list, get, change, revoke, rotate). */
export function registerApiKeyRoutes(app: Express, ctx: AppContext): void {
  const bus = invalidationBusFor(ctx);
  const records = new ApiKeyRecords(ctx.store, ctx.clock);
  const auth = authOf(ctx);
  auth.register(new ApiKeyResolver(ctx, records, bus));
  const service = new ApiKeyService(ctx, records, bus);
  const sourceOf = (req: Request): AuditContext => {
    const caller = principalOf(req);
    const ua = req.headers['user-agent'];
    return {
      actor: { kind: caller.kind, subject: caller.subject },
      ip: auth.clientAddress(req),
      userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null,
    };
  };
  const security = ['bearer', 'apiKey', 'cookie'] as const;

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/api-keys',
    summary: 'Create an API key (the secret is in this response only)',
    tags: ['api-keys'],
    security,
    body: { schema: CreateApiKeyBodySchema },
    responses: {
      201: { description: 'Created', schema: IssuedApiKeySchema },
      400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.post('/api/v1/api-keys', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const body = parseWith(CreateApiKeyBodySchema, req.body, 'body');
    const created = await service.create(
      principalOf(req),
      {
        name: body.name,
        description: body.description,
        scopes: body.scopes,
        expiresInDays: body.expires_in_days,
        rateLimitPerMinute: body.rate_limit_per_minute,
      },
      sourceOf(req),
    );
    res.status(201).set('Cache-Control', 'no-store').json(created);
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/api-keys',
    summary: "List the org's (or the caller's team's) API keys, newest first, without secrets",
    tags: ['api-keys'],
    security,
    query: ListApiKeysQuerySchema,
    responses: { 200: { description: 'Keys', schema: ApiKeyListSchema }, ...errors },
  });
  app.get('/api/v1/api-keys', requirePermission(ctx, PERMISSION), async (req, res) => {
    const { limit } = parseWith(ListApiKeysQuerySchema, req.query, 'query');
    res.set('Cache-Control', 'no-store').json({ api_keys: await service.list(principalOf(req), limit) });
  });

  ctx.openapi.add({
    method: 'get',
    path: '/api/v1/api-keys/:id',
    summary: 'One API key, without its secret',
    tags: ['api-keys'],
    security,
    params: ApiKeyIdParamsSchema,
    responses: {
      200: { description: 'The key', schema: ApiKeySummarySchema },
      404: { description: '`not_found`', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.get('/api/v1/api-keys/:id', requirePermission(ctx, PERMISSION), async (req, res) => {
    const { id } = parseWith(ApiKeyIdParamsSchema, req.params, 'params');
    res.set('Cache-Control', 'no-store').json(await service.get(principalOf(req), id));
  });

  ctx.openapi.add({
    method: 'patch',
    path: '/api/v1/api-keys/:id',
    summary: "Change an API key's request budget per minute; applies from its next request on every replica",
    tags: ['api-keys'],
    security,
    params: ApiKeyIdParamsSchema,
    body: { schema: UpdateApiKeyBodySchema },
    responses: {
      200: { description: 'The key as changed', schema: ApiKeySummarySchema },
      400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
      404: { description: '`not_found`', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.patch('/api/v1/api-keys/:id', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const { id } = parseWith(ApiKeyIdParamsSchema, req.params, 'params');
    const body = parseWith(UpdateApiKeyBodySchema, req.body, 'body');
    const changed = await service.setRateLimit(principalOf(req), id, body.rate_limit_per_minute, sourceOf(req));
    res.set('Cache-Control', 'no-store').json(changed);
  });

  ctx.openapi.add({
    method: 'delete',
    path: '/api/v1/api-keys/:id',
    summary: 'Revoke an API key at once (every replica refuses it within a second)',
    tags: ['api-keys'],
    security,
    params: ApiKeyIdParamsSchema,
    responses: {
      204: { description: 'Revoked (also when it already was)' },
      404: { description: '`not_found`', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.delete('/api/v1/api-keys/:id', requirePermission(ctx, PERMISSION), async (req, res) => {
    const { id } = parseWith(ApiKeyIdParamsSchema, req.params, 'params');
    await service.revoke(principalOf(req), id, sourceOf(req));
    res.status(204).end();
  });

  ctx.openapi.add({
    method: 'post',
    path: '/api/v1/api-keys/:id/rotate',
    summary: 'Replace an API key; the old one keeps working for grace_period_seconds',
    tags: ['api-keys'],
    security,
    params: ApiKeyIdParamsSchema,
    body: { schema: RotateApiKeyBodySchema.optional() },
    responses: {
      201: { description: 'The replacement (secret shown once)', schema: RotatedApiKeySchema },
      400: { description: '`invalid_request` naming the field', schema: ErrorBodySchema },
      404: { description: '`not_found`', schema: ErrorBodySchema },
      409: { description: '`conflict`: the key is revoked, expired or already rotated', schema: ErrorBodySchema },
      ...errors,
    },
  });
  app.post('/api/v1/api-keys/:id/rotate', requirePermission(ctx, PERMISSION), ctx.parse.json, async (req, res) => {
    const { id } = parseWith(ApiKeyIdParamsSchema, req.params, 'params');
    const body = parseWith(RotateApiKeyBodySchema, req.body ?? {}, 'body');
    const rotated = await service.rotate(
      principalOf(req),
      id,
      body.grace_period_seconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
      sourceOf(req),
      body.rate_limit_per_minute,
    );
    res.status(201).set('Cache-Control', 'no-store').json(rotated);
  });
}
