import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
  type ZodOpenApiResponseObject,
} from 'zod-openapi';
import { invalidRequest } from '../errors.js';

/** The runtime's zod (v4). Tests import it from here: the repository root resolves `zod` to another major version. */
export { z };

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';
/** Security schemes declared in the document; routes name the ones they accept. */
export type SecurityScheme = 'bearer' | 'apiKey' | 'cookie' | 'clientBasic';

// Schemas are typed as zod's core base type, not `z.ZodType`: relating a concrete schema to the classic class costs
// the type-check about 0.4 s the first time in each of its parallel checkers, to the core type next to nothing.

export interface ResponseSpec {
  readonly description: string;
  readonly schema?: z.core.$ZodType;
  /** Default `application/json`. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

export interface OperationSpec {
  readonly method: HttpMethod;
  /** Express-style path (`/api/v1/api-keys/:id`); documented as `/api/v1/api-keys/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  /** Credentials accepted; omit or empty for public endpoints. */
  readonly security?: readonly SecurityScheme[];
  /**
   * Catalog permissions the route layer requires of the caller it authenticates, documented as `x-permissions` (an
   * empty list: any authenticated caller). Undefined for public routes and routes whose handler authenticates.
   */
  readonly permissions?: readonly string[];
  readonly params?: z.ZodObject;
  readonly query?: z.ZodObject;
  readonly body?: { readonly schema: z.core.$ZodType; readonly contentType?: string };
  readonly responses: Readonly<Record<number, ResponseSpec>>;
}

/** The contract's error body, documented once and referenced by every error response. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum([
        'unauthorized',
        'token_expired',
        'forbidden',
        'invalid_request',
        'not_found',
        'conflict',
        'rate_limited',
        'internal',
        'unavailable',
      ]),
      message: z.string(),
    }),
  })
  .meta({ id: 'Error' });

/** The 429 of an authenticated route: the address failed too often, or the credential used up its request budget. */
export const RATE_LIMITED_RESPONSE = {
  description:
    '`rate_limited`: too many failed attempts from this address, or the caller used up its request budget ' +
    '(with `Retry-After`, `RateLimit-Policy` and `RateLimit`)',
  schema: ErrorBodySchema,
  headers: {
    'Retry-After': 'Seconds until the caller may try again',
    'RateLimit-Policy': 'Over budget: the budget, e.g. `"default";q=1200;w=60`',
    RateLimit: 'Over budget: `"default";r=0;t=<seconds until the window ends>`',
  },
} as const;

export const OAuthErrorBodySchema = z
  .object({ error: z.string(), error_description: z.string().optional() })
  .meta({ id: 'OAuthError' });

/**
 * Collects the operation of every declared route (`mountRoutes` adds them), and renders them as an OpenAPI 3.1
 * document. Its zod schemas are the ones the route layer validates with (`parseWith`), so the document cannot drift
 * from the code.
 */
export class OpenApiRegistry {
  readonly #operations: OperationSpec[] = [];

  add(spec: OperationSpec): void {
    const exists = this.#operations.some((o) => o.method === spec.method && o.path === spec.path);
    if (exists) throw new Error(`OpenAPI operation ${spec.method.toUpperCase()} ${spec.path} is registered twice`);
    this.#operations.push(spec);
  }

  operations(): readonly OperationSpec[] {
    return this.#operations;
  }

  /**
   * The OpenAPI 3.1 document of every registered operation, built by zod-openapi from the schemas the routes validate
   * with. Schemas with a meta `id` become components; the catalog permissions a route requires are listed under
   * `x-permissions`.
   */
  document(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: ZodOpenApiPathsObject = {};
    for (const op of [...this.#operations].sort((a, b) => a.path.localeCompare(b.path))) {
      const path = op.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const responses: Record<string, ZodOpenApiResponseObject> = {};
      for (const [status, response] of Object.entries(op.responses)) {
        responses[status] = {
          description: response.description,
          ...(response.headers
            ? {
                headers: Object.fromEntries(
                  Object.entries(response.headers).map(([h, d]) => [h, { description: d, schema: { type: 'string' } }]),
                ),
              }
            : {}),
          ...(response.schema
            ? { content: { [response.contentType ?? 'application/json']: { schema: response.schema } } }
            : {}),
        };
      }
      const operation: ZodOpenApiOperationObject = {
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        ...(op.tags ? { tags: [...op.tags] } : {}),
        operationId: `${op.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        security: (op.security ?? []).map((scheme) => ({ [scheme]: [] })),
        ...(op.permissions ? { 'x-permissions': [...op.permissions] } : {}),
        ...(op.params || op.query
          ? { requestParams: { ...(op.params ? { path: op.params } : {}), ...(op.query ? { query: op.query } : {}) } }
          : {}),
        ...(op.body
          ? {
              requestBody: {
                required: !z.safeParse(op.body.schema, undefined).success,
                content: { [op.body.contentType ?? 'application/json']: { schema: op.body.schema } },
              },
            }
          : {}),
        responses,
      };
      paths[path] = { ...paths[path], [op.method]: operation };
    }
    return createDocument({
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        schemas: { Error: ErrorBodySchema, OAuthError: OAuthErrorBodySchema },
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or <tokid>.<toksecret>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'access_token' },
          clientBasic: { type: 'http', scheme: 'basic' },
        },
      },
    }) as unknown as Record<string, unknown>;
  }
}

/**
 * Validates `value` (a body, query or params object) with `schema`; throws `invalid_request` naming every bad field
 * and what is allowed, e.g. `body.scopes: expected array`.
 */
export function parseWith<T extends z.ZodType>(
  schema: T,
  value: unknown,
  where: 'body' | 'query' | 'params',
): z.output<T> {
  const result = schema.safeParse(value ?? (where === 'body' ? undefined : {}));
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [where, ...issue.path.map(String)].join('.');
    return `${path}: ${issue.message}`;
  });
  throw invalidRequest(problems.join('; '), 'validation');
}
