import { conflictResponse, forbiddenResponse, notFoundResponse } from '../../http/responses.js';
import { type AnyRoute, requires, route } from '../../http/route.js';
import { auditContextOf } from '../audit-context.js';
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
import type { ApiKeyService } from './api-key-service.js';

const access = requires('api_keys:manage');
const tags = ['api-keys'];
/** Creating and rotating also refuse a scope the caller does not hold itself. */
const grantRefused = forbiddenResponse('lacks `api_keys:manage`, or a scope it tries to grant');
const notFound = notFoundResponse();

/** `/api/v1/api-keys`: create, list, get, change, revoke, rotate. */
export function apiKeyRoutes(service: ApiKeyService): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/api/v1/api-keys',
      summary: 'Create an API key (the secret is in this response only)',
      tags,
      access,
      body: { kind: 'json', schema: CreateApiKeyBodySchema },
      status: 201,
      responses: { 201: { description: 'Created', schema: IssuedApiKeySchema }, 403: grantRefused },
      handler: (req, _res, { body, principal }) =>
        service.create(
          principal,
          {
            name: body.name,
            description: body.description,
            scopes: body.scopes,
            expiresInDays: body.expires_in_days,
            rateLimitPerMinute: body.rate_limit_per_minute,
          },
          auditContextOf(req),
        ),
    }),
    route({
      method: 'get',
      path: '/api/v1/api-keys',
      summary: "List the org's (or the caller's team's) API keys, newest first, without secrets",
      tags,
      access,
      query: ListApiKeysQuerySchema,
      responses: { 200: { description: 'Keys', schema: ApiKeyListSchema } },
      handler: async (_req, _res, { query, principal }) => ({ api_keys: await service.list(principal, query.limit) }),
    }),
    route({
      method: 'get',
      path: '/api/v1/api-keys/:id',
      summary: 'One API key, without its secret',
      tags,
      access,
      params: ApiKeyIdParamsSchema,
      responses: { 200: { description: 'The key', schema: ApiKeySummarySchema }, 404: notFound },
      handler: (_req, _res, { params, principal }) => service.get(principal, params.id),
    }),
    route({
      method: 'patch',
      path: '/api/v1/api-keys/:id',
      summary: "Change an API key's request budget per minute; applies from its next request on every replica",
      tags,
      access,
      params: ApiKeyIdParamsSchema,
      body: { kind: 'json', schema: UpdateApiKeyBodySchema },
      responses: { 200: { description: 'The key as changed', schema: ApiKeySummarySchema }, 404: notFound },
      handler: (req, _res, { params, body, principal }) =>
        service.setRateLimit(principal, params.id, body.rate_limit_per_minute, auditContextOf(req)),
    }),
    route({
      method: 'delete',
      path: '/api/v1/api-keys/:id',
      summary: 'Revoke an API key at once (every replica refuses it within a second)',
      tags,
      access,
      params: ApiKeyIdParamsSchema,
      status: 204,
      responses: { 204: { description: 'Revoked (also when it already was)' }, 404: notFound },
      handler: (req, _res, { params, principal }) => service.revoke(principal, params.id, auditContextOf(req)),
    }),
    route({
      method: 'post',
      path: '/api/v1/api-keys/:id/rotate',
      summary: 'Replace an API key; the old one keeps working for grace_period_seconds',
      tags,
      access,
      params: ApiKeyIdParamsSchema,
      body: { kind: 'json', schema: RotateApiKeyBodySchema },
      bodyOptional: true,
      status: 201,
      responses: {
        201: { description: 'The replacement (secret shown once)', schema: RotatedApiKeySchema },
        403: grantRefused,
        404: notFound,
        409: conflictResponse('the key is revoked, expired or already rotated'),
      },
      handler: (req, _res, { params, body, principal }) =>
        service.rotate(
          principal,
          params.id,
          body?.grace_period_seconds ?? DEFAULT_GRACE_PERIOD_SECONDS,
          auditContextOf(req),
          body?.rate_limit_per_minute,
        ),
    }),
  ];
}
