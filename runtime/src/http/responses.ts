import { ErrorBodySchema, type HttpMethod, RATE_LIMITED_RESPONSE, type ResponseSpec } from './openapi.js';

/**
 * The contract's error responses as route declarations document them, each with the error body. The route layer adds
 * the ones it produces itself (`routeLayerResponses`); a module names only what its handler adds, or a more precise
 * description of one of those.
 */

export const badRequestResponse: ResponseSpec = {
  description: '`invalid_request` naming the field',
  schema: ErrorBodySchema,
};

export const unauthorizedResponse: ResponseSpec = {
  description: '`unauthorized` or `token_expired`',
  schema: ErrorBodySchema,
};

/** `why`: who is refused, e.g. "lacks `keys:rotate`, or is not of the default organization". */
export const forbiddenResponse = (why: string): ResponseSpec => ({
  description: `\`forbidden\`: ${why}`,
  schema: ErrorBodySchema,
});

/** `what`: what was not found, when it says more than the code, e.g. "no such client in your organization". */
export const notFoundResponse = (what?: string): ResponseSpec => ({
  description: what ? `\`not_found\`: ${what}` : '`not_found`',
  schema: ErrorBodySchema,
});

/** `why`: what the request conflicts with, e.g. "the slug is taken". */
export const conflictResponse = (why: string): ResponseSpec => ({
  description: `\`conflict\`: ${why}`,
  schema: ErrorBodySchema,
});

/** Why a cookie-authenticated request that changes state is refused (the session resolver's CSRF check). */
export const ORIGIN_REFUSED =
  'a cookie-authenticated request that changes state without an Origin from ALLOWED_ORIGINS';

/** What the route layer knows of a route when it documents the answers it gives before the handler runs. */
export interface RouteLayerChecks {
  readonly method: HttpMethod;
  /** The route layer validates params, a query or a JSON body (400 naming the field). */
  readonly validates: boolean;
  /** The route layer authenticates the caller (401, 429), with these permissions required; undefined when it does not. */
  readonly permissions: readonly string[] | undefined;
}

/**
 * A route's documented responses with the route layer's: the route's own description of a status wins (it says
 * more, e.g. the tenant checks), but keeps what only the layer knows of that status: its headers (`Retry-After` and
 * `RateLimit` on 429) and, on a 403 of a method that changes state, the session cookie's Origin refusal.
 */
export function withRouteLayerResponses(
  checks: RouteLayerChecks,
  declared: Readonly<Record<number, ResponseSpec>>,
): Record<number, ResponseSpec> {
  const layer = routeLayerResponses(checks);
  const merged: Record<number, ResponseSpec> = { ...layer };
  for (const [code, own] of Object.entries(declared)) {
    const status = Number(code);
    const theirs = layer[status];
    if (!theirs) {
      merged[status] = own;
      continue;
    }
    const originRefusal = status === 403 && theirs.description.includes(ORIGIN_REFUSED);
    merged[status] = {
      ...own,
      description:
        originRefusal && !own.description.includes(ORIGIN_REFUSED)
          ? `${own.description}, or ${ORIGIN_REFUSED}`
          : own.description,
      ...(theirs.headers || own.headers ? { headers: { ...theirs.headers, ...own.headers } } : {}),
    };
  }
  return merged;
}

/**
 * The error responses the route layer itself answers for a route: 400 when it validates input; for a route it
 * authenticates, 401 and 429, and 403 when it checks permissions or when a session cookie's Origin is checked (a
 * method that changes state).
 */
export function routeLayerResponses(checks: RouteLayerChecks): Record<number, ResponseSpec> {
  const responses: Record<number, ResponseSpec> = {};
  if (checks.validates) responses[400] = badRequestResponse;
  if (checks.permissions === undefined) return responses;
  responses[401] = unauthorizedResponse;
  const refusals =
    checks.permissions.length > 0 ? [`lacks ${checks.permissions.map((p) => `\`${p}\``).join(' or ')}`] : [];
  if (checks.method !== 'get') refusals.push(ORIGIN_REFUSED);
  if (refusals.length > 0) responses[403] = forbiddenResponse(refusals.join(', or '));
  responses[429] = RATE_LIMITED_RESPONSE;
  return responses;
}
