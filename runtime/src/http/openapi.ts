import { z } from 'zod';
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
 * Collects the operations feature modules register, and renders them as an OpenAPI 3.1 document. The zod schemas
 * registered here are the ones the routes validate with (`parseWith`), so the document cannot drift from the code.
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

  document(info: { title: string; version: string; serverUrl: string }): Record<string, unknown> {
    const paths: Record<string, Record<string, unknown>> = {};
    const schemas: Record<string, unknown> = {};
    // Schemas with a meta `id` become components; zod emits them under `$defs`, which OpenAPI spells differently.
    const toSchema = (schema: z.core.$ZodType, io: 'input' | 'output'): unknown => {
      const generated = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
      const json = JSON.parse(JSON.stringify(generated).replaceAll('"#/$defs/', '"#/components/schemas/')) as Record<
        string,
        unknown
      >;
      delete json.$schema;
      const defs = (json.$defs ?? {}) as Record<string, unknown>;
      delete json.$defs;
      Object.assign(schemas, defs);
      const id = z.globalRegistry.get(schema)?.id;
      if (typeof id === 'string') {
        delete json.id;
        if (!('$ref' in json)) schemas[id] = json;
        return { $ref: `#/components/schemas/${id}` };
      }
      return json;
    };
    for (const op of [...this.#operations].sort((a, b) => a.path.localeCompare(b.path))) {
      const path = op.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
      const parameters: unknown[] = [];
      for (const [where, schema] of [
        ['path', op.params],
        ['query', op.query],
      ] as const) {
        if (!schema) continue;
        for (const [name, field] of Object.entries(schema.shape)) {
          const fieldSchema = field as z.ZodType;
          parameters.push({
            name,
            in: where,
            required: where === 'path' || !fieldSchema.safeParse(undefined).success,
            schema: toSchema(fieldSchema, 'input'),
            ...(fieldSchema.description ? { description: fieldSchema.description } : {}),
          });
        }
      }
      const responses: Record<string, unknown> = {};
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
            ? {
                content: {
                  [response.contentType ?? 'application/json']: { schema: toSchema(response.schema, 'output') },
                },
              }
            : {}),
        };
      }
      paths[path] ??= {};
      paths[path][op.method] = {
        summary: op.summary,
        ...(op.description ? { description: op.description } : {}),
        ...(op.tags ? { tags: op.tags } : {}),
        operationId: `${op.method}${path.replace(/[^A-Za-z0-9]+(.)?/g, (_m, c: string | undefined) => (c ? c.toUpperCase() : ''))}`,
        security: (op.security ?? []).map((scheme) => ({ [scheme]: [] })),
        ...(parameters.length ? { parameters } : {}),
        ...(op.body
          ? {
              requestBody: {
                required: !z.safeParse(op.body.schema, undefined).success,
                content: { [op.body.contentType ?? 'application/json']: { schema: toSchema(op.body.schema, 'input') } },
              },
            }
          : {}),
        responses,
      };
    }
    toSchema(ErrorBodySchema, 'output');
    toSchema(OAuthErrorBodySchema, 'output');
    return {
      openapi: '3.1.0',
      info: { title: info.title, version: info.version },
      servers: [{ url: info.serverUrl }],
      paths,
      components: {
        schemas,
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT or <tokid>.<toksecret>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'access_token' },
          clientBasic: { type: 'http', scheme: 'basic' },
        },
      },
    };
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
