import { z } from 'zod';
import { MAX_REQUEST_BUDGET_PER_MINUTE } from '../../config.js';

/** Longest grace period a rotation accepts, in seconds (30 days). */
export const MAX_GRACE_PERIOD_SECONDS = 2_592_000;
/** Grace period when a rotation names none, in seconds (1 hour). */
export const DEFAULT_GRACE_PERIOD_SECONDS = 3600;
/** Most keys one listing returns. */
export const MAX_LIST_LIMIT = 1000;

const NAME = /^[^\p{Cc}]+$/u;

/** A key's own request budget: requests per minute, 0 unlimited; null (or omitted on create) follows the default. */
const RateLimitPerMinuteSchema = z
  .number()
  .int()
  .min(0)
  .max(MAX_REQUEST_BUDGET_PER_MINUTE)
  .nullable()
  .describe(
    `Requests per minute the key may make (0-${MAX_REQUEST_BUDGET_PER_MINUTE}, 0 = unlimited); ` +
      'null follows RATE_LIMIT_API_KEY_PER_MINUTE',
  );

export const CreateApiKeyBodySchema = z
  .strictObject({
    name: z.string().trim().min(1).max(100).regex(NAME, 'must not contain control characters'),
    description: z.string().max(500).regex(NAME, 'must not contain control characters').optional(),
    scopes: z
      .array(z.string())
      .min(1)
      .max(100)
      .describe('Catalog scopes or permissions; each must be held by the caller'),
    expires_in_days: z.number().int().min(1).max(3650).optional().describe('Lifetime in days; omit for no expiry'),
    rate_limit_per_minute: RateLimitPerMinuteSchema.optional(),
  })
  .meta({ id: 'CreateApiKeyRequest' });

export const UpdateApiKeyBodySchema = z
  .strictObject({ rate_limit_per_minute: RateLimitPerMinuteSchema })
  .meta({ id: 'UpdateApiKeyRequest' });

export const RotateApiKeyBodySchema = z
  .strictObject({
    grace_period_seconds: z
      .number()
      .int()
      .min(0)
      .max(MAX_GRACE_PERIOD_SECONDS)
      .optional()
      .describe(`Seconds the old key keeps working (default ${DEFAULT_GRACE_PERIOD_SECONDS}; 0 refuses it at once)`),
    rate_limit_per_minute: RateLimitPerMinuteSchema.optional().describe(
      "The replacement's request budget per minute; omitted: the old key's",
    ),
  })
  .meta({ id: 'RotateApiKeyRequest' });

export const ListApiKeysQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(MAX_LIST_LIMIT).default(100).describe('Most keys returned, newest first'),
});

export const ApiKeyIdParamsSchema = z.object({
  id: z.string().describe("The key's `id` (`key_...`) or its public `key_id` (the part after `sk_live_`/`sk_test_`)"),
});

export const IssuedApiKeySchema = z
  .object({
    id: z.string(),
    key_id: z.string(),
    api_key: z.string().describe('The full key; shown only in this response'),
    name: z.string(),
    scopes: z.array(z.string()),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    rate_limit_per_minute: RateLimitPerMinuteSchema,
    header_name: z.literal('X-API-Key'),
  })
  .meta({ id: 'IssuedApiKey' });

export const RotatedApiKeySchema = IssuedApiKeySchema.extend({
  rotated_from: z.string(),
  previous_key_id: z.string(),
  previous_key_valid_until: z.string(),
}).meta({ id: 'RotatedApiKey' });

export const ApiKeySummarySchema = z
  .object({
    id: z.string(),
    key_id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    role: z.string().nullable(),
    scopes: z.array(z.string()),
    status: z.enum(['active', 'rotating', 'expired', 'revoked']),
    owner: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable().describe('Updated at most once a minute'),
    revoked_at: z.string().nullable(),
    rotated_from: z.string().nullable(),
    grace_until: z.string().nullable(),
    rate_limit_per_minute: RateLimitPerMinuteSchema,
  })
  .meta({ id: 'ApiKeySummary' });

export const ApiKeyListSchema = z.object({ api_keys: z.array(ApiKeySummarySchema) }).meta({ id: 'ApiKeyList' });
