import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import type { HttpMethod, ResponseSpec, SecurityScheme } from './openapi.js';

/**
 * How a route reads its body:
 * - `json`: `application/json`, parsed and validated against `schema` (400 naming each bad field); at most
 *   `limitBytes` (default `BODY_LIMIT_BYTES`, 64 KiB);
 * - `oauth-form`: `application/x-www-form-urlencoded` read into a map, each parameter once (RFC 6749 3.2); the OAuth
 *   handler validates it itself so that errors are RFC 6749 ones. `schema` documents the parameters.
 */
export type BodySpec =
  | { readonly kind: 'json'; readonly schema: z.ZodType; readonly limitBytes?: number }
  | { readonly kind: 'oauth-form'; readonly schema: z.ZodType };

/**
 * A query the handler reads itself (forward auth: its refusals carry `X-Auth-Error`, and it reads the query of the
 * original request too); `schema` only documents it, and `input.query` is undefined.
 */
export interface HandlerQuery {
  readonly readBy: 'handler';
  readonly schema: z.ZodObject;
}

/**
 * Another Express path the same handler serves, documented as an operation of its own with the route's access,
 * query, body and responses. `all` (any method) is documented as every method OpenAPI has words for here
 * (`HttpMethod`). A wildcard (`{*original}`) is documented as the path parameter `{original}`; `params` only documents
 * it: the handler reads the URL itself.
 */
export interface RouteAlias {
  readonly method: 'all' | HttpMethod;
  readonly path: string;
  /** Default: the route's summary. */
  readonly summary?: string;
  readonly params?: z.ZodObject;
}

/**
 * Who may call the route:
 * - `public`: anyone, no credential read;
 * - `requires(...permissions)`: the route layer authenticates any credential the runtime accepts (answering 401/429)
 *   and requires every catalog permission listed (403 naming the missing one) before the handler runs;
 *   `input.principal` is set. Its `security` is `ROUTE_LAYER_CREDENTIALS` and nothing narrower, because the
 *   authenticator asks every resolver whatever the route;
 * - `{ security, authenticates: 'handler' }`: the handler reads the credential itself (forward auth, OAuth client
 *   authentication, sign-in cookies); `security` documents what it accepts.
 */
export type RouteAccess =
  | 'public'
  | {
      readonly security: typeof ROUTE_LAYER_CREDENTIALS;
      readonly permissions?: readonly string[];
      readonly authenticates?: undefined;
    }
  | { readonly security: readonly SecurityScheme[]; readonly authenticates: 'handler' };

/**
 * The credentials the route layer accepts: its authenticator asks every credential resolver, whichever the route, so
 * every route it authenticates is documented with the same schemes.
 */
export const ROUTE_LAYER_CREDENTIALS = ['bearer', 'apiKey', 'cookie'] as const satisfies readonly SecurityScheme[];

/**
 * The `access` of a route the route layer authenticates: any credential holding every catalog permission listed
 * (none listed: any authenticated caller).
 */
export const requires = (...permissions: string[]) => ({ security: ROUTE_LAYER_CREDENTIALS, permissions });

type Output<S> = S extends z.ZodType ? z.output<S> : undefined;
type BodyOutput<B> = B extends { kind: 'oauth-form' }
  ? ReadonlyMap<string, string>
  : B extends { schema: infer S }
    ? Output<S>
    : undefined;
// Not `A extends { permissions?, authenticates?: undefined }`: a type of optional properties only is a weak type, which
// `{ security }` (any authenticated caller) does not extend.
type PrincipalOf<A> = A extends 'public' | { readonly authenticates: 'handler' } ? undefined : Principal;

/** What the route layer hands a handler: the validated request parts, and the caller when the route authenticates. */
export interface RouteInput<P, Q, B, A> {
  readonly params: Output<P>;
  readonly query: Output<Q>;
  readonly body: BodyOutput<B>;
  readonly principal: PrincipalOf<A>;
}

/** The success statuses a handler's returned body is answered with. */
export type SuccessStatus = 200 | 201 | 204;

type Responses = Readonly<Record<number, ResponseSpec>>;
/** What the response `status` documents, as its schema types it (`unknown` without a schema). */
type BodyOf<R, S extends number> = S extends keyof R
  ? R[S] extends { readonly schema: infer Z extends z.core.$ZodType }
    ? z.output<Z>
    : unknown
  : unknown;
/**
 * What a handler returns: with a declared `status`, the body of that response (nothing for 204); without one, the 200
 * body, or nothing when it wrote its own answer. A hot route always writes its own answer.
 */
type Handler<Req, Res, In, R, S, F> = F extends true
  ? (req: Req, res: Res, input: In) => void | Promise<void>
  : S extends 204
    ? (req: Req, res: Res, input: In) => void | Promise<void>
    : S extends SuccessStatus
      ? (req: Req, res: Res, input: In) => BodyOf<R, S> | Promise<BodyOf<R, S>>
      : // biome-ignore lint/suspicious/noConfusingVoidType: an async handler that writes its own answer returns `Promise<void>`.
        (req: Req, res: Res, input: In) => BodyOf<R, 200> | undefined | Promise<BodyOf<R, 200> | void>;

/**
 * One route, declared once: Express registration, request parsing, the permission check, the success answer and the
 * OpenAPI operation all derive from it (`mountRoutes`).
 */
export interface RouteDeclaration<
  P extends z.ZodObject | undefined = z.ZodObject | undefined,
  Q extends z.ZodObject | HandlerQuery | undefined = z.ZodObject | HandlerQuery | undefined,
  B extends BodySpec | undefined = BodySpec | undefined,
  A extends RouteAccess = RouteAccess,
  F extends boolean = boolean,
  R extends Responses = Responses,
  S extends SuccessStatus | undefined = SuccessStatus | undefined,
> {
  readonly method: HttpMethod;
  /** Express-style path (`/api/v1/api-keys/:id`); documented as `/api/v1/api-keys/{id}`. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly tags: readonly string[];
  readonly access: A;
  readonly params?: P;
  readonly query?: Q;
  readonly body?: B;
  /** A body is required unless this is set. */
  readonly bodyOptional?: boolean;
  /**
   * What the handler answers. The route layer documents the errors it answers itself (`routeLayerResponses`: 400 when
   * it validates, 401/403/429 when it authenticates); list one of those only to describe it more precisely.
   */
  readonly responses: R;
  /**
   * The status of the answer the route layer writes with the body the handler returns: JSON with
   * `Cache-Control: no-store` (every answer of these APIs is the caller's own), or for 204 no body. Default 200. A
   * handler that writes its own answer (cookies, redirects, CSV, HTML, hot routes) returns nothing, and the route
   * layer then writes nothing; nor does it once the handler has sent the headers.
   */
  readonly status?: S;
  /**
   * A hot route: served before Express by the fast path (`createRequestListener`), which skips Express's per-request
   * cost. Exact paths only (no `:params`). The handler gets plain `node:http` objects either way.
   */
  readonly fast?: F;
  /** Further Express paths served by the same handler (e.g. Envoy's `/auth/verify/{*original}`), documented too. */
  readonly aliases?: readonly RouteAlias[];
  readonly handler: Handler<
    F extends true ? IncomingMessage : Request,
    F extends true ? ServerResponse : Response,
    RouteInput<P, Q, B, A>,
    R,
    S,
    F
  >;
}

/** A declaration with its types erased, as route tables hold them. */
// biome-ignore lint/suspicious/noExplicitAny: the table holds routes of every input type; `route()` checks each one.
export type AnyRoute = RouteDeclaration<any, any, any, any, any, any, any>;

/** Declares a route; the identity function, there to infer the handler's input types from the schemas. */
export function route<
  P extends z.ZodObject | undefined = undefined,
  Q extends z.ZodObject | HandlerQuery | undefined = undefined,
  B extends BodySpec | undefined = undefined,
  const A extends RouteAccess = RouteAccess,
  F extends boolean = false,
  R extends Responses = Responses,
  S extends SuccessStatus | undefined = undefined,
>(declaration: RouteDeclaration<P, Q, B, A, F, R, S>): AnyRoute {
  return declaration;
}
