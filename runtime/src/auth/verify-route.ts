import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import { AppError, invalidRequest } from '../errors.js';
import { writeFastHead } from '../http/fast-router.js';
import { ErrorBodySchema, RATE_LIMITED_RESPONSE } from '../http/openapi.js';
import { toPublicError } from '../http/render-error.js';
import { type AnyRoute, route } from '../http/route.js';
import { budgetHeaders, REMAINING_HEADER } from '../rate-limit/credential-budget.js';
import type { Authenticator } from './authenticator.js';
import type { Principal } from './principal.js';
import { assertPermissions } from './route-access.js';

/** On a refusal, the contract error code (`unauthorized`, `token_expired`, `forbidden`, `rate_limited`, ...). */
export const AUTH_ERROR_HEADER = 'X-Auth-Error';

const SCOPE_LIST = /^[a-z0-9_:,\s-]*$/;
const MAX_SCOPE_PARAM = 1024;

/**
 * Header a gateway can set instead of `?scope=` (Envoy ext_authz `headers_to_add`, where the query is the product's).
 * A caller adding it itself only makes its own check stricter.
 */
export const REQUIRED_SCOPES_HEADER = 'x-auth-require-scopes';

function splitScopes(value: string, where: string, into: string[]): void {
  if (value.length > MAX_SCOPE_PARAM || !SCOPE_LIST.test(value)) {
    throw invalidRequest(`${where}: expected catalog scopes separated by commas, e.g. scope=graph:read,search:read`);
  }
  for (const scope of value.split(/[\s,]+/)) if (scope) into.push(scope);
}

/** A query parameter that is not `scope` but reads like it (`Scope`, `scope[]`, `scopes`, ` scope`). */
const SCOPE_LIKE = /^[^a-z]*scope/i;
/** The variants named back in the refusal: `Scope`, `SCOPE`, `scope[]`, `scopes`, `scope_list` and the like. */
const SCOPE_VARIANT = /^scope[a-z_[\]]{0,8}$/i;

/**
 * Required scopes: `?scope=a,b` (comma or space separated, given once) plus the `X-Auth-Require-Scopes` header. A
 * parameter that reads like `scope` but is not exactly it (`Scope=`, `scope[]=`, `scopes=`), or a repeated `scope`, is
 * refused with 400 rather than ignored: a scope the caller asked for is never dropped.
 */
export function requiredScopes(req: IncomingMessage): string[] {
  const scopes: string[] = [];
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q !== -1) {
    let seen = false;
    for (const [name, value] of new URLSearchParams(url.slice(q + 1))) {
      if (name !== 'scope') {
        if (SCOPE_LIKE.test(name)) {
          // The name is repeated back only when it is a plain variant of scope: anything else is the caller's text.
          const which = SCOPE_VARIANT.test(name) ? `query.${name}` : 'query: a parameter like scope';
          throw invalidRequest(
            `${which}: not a supported parameter; give the required scopes once as scope=a,b`,
            'bad_scope_param',
          );
        }
        continue;
      }
      if (seen)
        throw invalidRequest('query.scope: given more than once; list the scopes in one scope=a,b', 'bad_scope_param');
      seen = true;
      splitScopes(value, 'query.scope', scopes);
    }
  }
  const header = req.headers[REQUIRED_SCOPES_HEADER];
  if (typeof header === 'string') splitScopes(header, 'header X-Auth-Require-Scopes', scopes);
  return scopes;
}

/** Gateways drop the body of a refused subrequest: the code is repeated in `X-Auth-Error`. */
const authErrorHeaders = { 'X-Auth-Error': 'The error code, for gateways that drop the body' };

/**
 * `GET /auth/verify?scope=a,b`: forward authentication for gateways (nginx `auth_request`, Traefik ForwardAuth, Envoy
 * ext_authz HTTP). A fast route: no Express, and for a repeated credential no store query. 200 with the caller in
 * `X-Auth-*` headers, 401 without a valid credential, 403 `forbidden` naming the first missing scope. The handler
 * reads the credential and the query itself, so that every refusal, a malformed scope parameter included, carries
 * `X-Auth-Error`.
 */
export function verifyRoutes(auth: Authenticator): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/auth/verify',
      summary: 'Forward auth for gateways: 200 with X-Auth-* headers, 401, or 403 naming the missing scope',
      description:
        'Refusals carry the error code in X-Auth-Error as well (gateways drop the body). Required scopes may also ' +
        'come from the X-Auth-Require-Scopes header. For Envoy ext_authz (HTTP service, path_prefix /auth/verify) any ' +
        'method on /auth/verify/{original path} answers the same way; a scope parameter in its query is honoured ' +
        'too. Scope parameters are given once: a repeated scope, or Scope=, scope[]= and the like, answer 400. A ' +
        'one-time WebSocket ticket (POST /auth/ws-ticket) is accepted here and nowhere else: ?ws_ticket= (also in ' +
        "the Envoy form's original query), the X-WS-Ticket header, or the query of X-Forwarded-Uri (Traefik); it " +
        'decides over any other credential on the request and yields the principal that asked for it.',
      tags: ['auth'],
      access: { security: ['cookie', 'bearer', 'apiKey'], authenticates: 'handler' },
      query: {
        readBy: 'handler',
        schema: z.object({
          scope: z.string().optional().describe('Required scopes or permissions, comma separated (all must be held)'),
          ws_ticket: z.string().optional().describe('One-time WebSocket ticket (wst_...), consumed by this request'),
        }),
      },
      responses: {
        200: {
          description: 'Authenticated and holding every required scope',
          headers: {
            'X-Auth-Subject': 'The caller (user subject, api_key:<key_id>, client id, ...)',
            'X-Auth-Role': 'Catalog role, empty for scope-only credentials',
            'X-Auth-Scopes': 'Granted scopes, space separated',
            'X-Auth-Kind': 'auth_kind: session, api_key, client_credentials, team_token, admin_token, entra_jwt',
            'X-Auth-Org': 'Org id',
            'X-Auth-Team': 'Team id, empty when the credential is not bound to a team',
            'RateLimit-Policy':
              'The credential\'s request budget, e.g. `"default";q=1200;w=60` (absent when unlimited)',
            RateLimit: 'What is left of it, e.g. `"default";r=1187;t=42`: requests and seconds until the window ends',
            'X-Auth-RateLimit-Remaining': 'Requests left in the current window (absent when unlimited)',
          },
        },
        400: { description: 'Malformed scope parameter', schema: ErrorBodySchema },
        401: {
          description: '`unauthorized` or `token_expired` (also in `X-Auth-Error`)',
          schema: ErrorBodySchema,
          headers: authErrorHeaders,
        },
        403: {
          description: '`forbidden`: the message names the missing scope (`X-Auth-Error: forbidden`)',
          schema: ErrorBodySchema,
          headers: authErrorHeaders,
        },
        429: {
          ...RATE_LIMITED_RESPONSE,
          headers: { ...RATE_LIMITED_RESPONSE.headers, 'X-Auth-Error': 'rate_limited' },
        },
        503: {
          description:
            '`unavailable` (with Retry-After): the store cannot be reached and the credential is not one held in memory',
          schema: ErrorBodySchema,
        },
      },
      fast: true,
      // Envoy ext_authz (HTTP service, `path_prefix: /auth/verify`) sends the original method, path and query under
      // the prefix. A `scope` in that query is honoured like on `/auth/verify` (and `/auth/verify/`): never silently
      // dropped.
      aliases: [
        {
          method: 'all',
          path: '/auth/verify/{*original}',
          summary: 'Forward auth for Envoy ext_authz: the original method, path and query under /auth/verify',
          params: z.object({
            original: z.string().describe("The original request's path; its query is read as on /auth/verify"),
          }),
        },
      ],
      handler: async (req, res) => {
        let principal: Principal;
        try {
          const required = requiredScopes(req);
          principal = await auth.authenticate(req, { forwardAuth: true });
          assertPermissions(principal, required, 'scope');
        } catch (error) {
          // Gateways drop the body of a failed auth subrequest; the code survives in a header (nginx
          // `auth_request_set`).
          const publicError = toPublicError(error);
          res.setHeader(
            AUTH_ERROR_HEADER,
            publicError instanceof AppError && publicError.expose ? publicError.code : 'internal',
          );
          throw error;
        }
        const head = [
          'Cache-Control',
          'no-store',
          'X-Auth-Subject',
          principal.subject,
          'X-Auth-Role',
          principal.role ?? '',
          'X-Auth-Scopes',
          principal.scopes.join(' '),
          'X-Auth-Kind',
          principal.kind,
          'X-Auth-Org',
          principal.orgId,
          'X-Auth-Team',
          principal.teamId ?? '',
          'Content-Length',
          '0',
        ];
        const budget = req.requestBudget;
        if (budget) head.push(...budgetHeaders(budget), REMAINING_HEADER, String(budget.remaining));
        writeFastHead(res, 200, head);
        res.end();
      },
    }),
  ];
}
