import type { IncomingMessage } from 'node:http';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { OAuthErrorBodySchema } from '../http/openapi.js';
import { type AnyRoute, route } from '../http/route.js';
import {
  authenticateOAuthCaller,
  mayIntrospect,
  OAUTH_CALLER_ERRORS,
  type OAuthCaller,
  type OAuthCallerAuth,
} from './oauth-caller.js';
import { oauthError, sendOAuthJson } from './oauth-http.js';
import type { TokenFacts, TokenKind, TokenKindRegistry } from './token-kinds.js';

export const IntrospectionResponseSchema = z
  .object({
    active: z.boolean(),
    scope: z.string().optional(),
    client_id: z.string().optional(),
    username: z.string().optional(),
    token_type: z.string().optional(),
    exp: z.number().int().optional(),
    iat: z.number().int().optional(),
    nbf: z.number().int().optional(),
    sub: z.string().optional(),
    aud: z.union([z.string(), z.array(z.string())]).optional(),
    iss: z.string().optional(),
    jti: z.string().optional(),
    auth_kind: z.string().optional(),
    org_id: z.string().optional(),
    team_id: z.string().nullable().optional(),
    role: z.string().nullable().optional(),
  })
  .meta({ id: 'IntrospectionResponse' });

export const TokenParamsSchema = z.object({
  token: z.string().describe('The token, API key, team/admin token or refresh token'),
  token_type_hint: z.string().optional().describe('`access_token`, `refresh_token`, `api_key` or `team_token`'),
});

/** Longest token read, in characters: our JWTs are ~800, Entra tokens a few KB. */
export const MAX_TOKEN_LENGTH = 16_384;

/** The `token` parameter, or `invalid_request`. */
export function tokenParam(form: ReadonlyMap<string, string>): string {
  const token = form.get('token');
  if (!token) throw oauthError('invalid_request', 'The token parameter is required');
  if (token.length > MAX_TOKEN_LENGTH) {
    throw oauthError('invalid_request', `The token parameter is longer than ${MAX_TOKEN_LENGTH} characters`);
  }
  return token;
}

/** The request side of every endpoint that starts with `readTokenRequest`: who may call, and the form it reads. */
export const TOKEN_REQUEST = {
  access: { security: ['clientBasic', 'bearer'], authenticates: 'handler' },
  body: { kind: 'oauth-form', schema: TokenParamsSchema },
} as const;

/** What an introspection or revocation request asks about: the authenticated caller, the token, and its kind/facts. */
export interface TokenRequestRead {
  readonly caller: OAuthCaller;
  readonly token: string;
  /** The kind that vouches for `token`; undefined for an unknown, expired or revoked token. */
  readonly found: { kind: TokenKind; facts: TokenFacts } | undefined;
}

/**
 * The common start of `/oauth2/introspect` and `/oauth2/revoke` once the route layer read the form, in this order:
 * authenticate the caller (401/403 before the token is even looked at), require the `token` parameter, and look it up
 * across `kinds`.
 */
export async function readTokenRequest(
  ctx: AppContext,
  kinds: TokenKindRegistry,
  callers: OAuthCallerAuth,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): Promise<TokenRequestRead> {
  const caller = await authenticateOAuthCaller(ctx, callers, req, form);
  const token = tokenParam(form);
  const found = await kinds.find(token, form.get('token_type_hint'), { ...caller, req });
  return { caller, token, found };
}

/**
 * `POST /oauth2/introspect` (RFC 7662) for every credential kind registered in `kinds`. Callers: Bearer credentials
 * and API clients holding `tokens:manage` (every token of their tenant), and any other API client (only the tokens
 * issued to it). A token that is unknown, expired, revoked, belongs to another org (or, for a team-bound caller,
 * another team), or that the caller may not see is `{"active": false}`.
 */
export function introspectionRoutes(ctx: AppContext, kinds: TokenKindRegistry, callers: OAuthCallerAuth): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/oauth2/introspect',
      summary: 'Token introspection (RFC 7662) for access tokens, API keys, team/admin tokens and refresh tokens',
      description:
        'Callers holding tokens:manage (a Bearer or X-API-Key credential, or an API client granted it) see every ' +
        'token of their org (their team when team-bound); any other API client sees only the tokens issued to it. ' +
        'Anything else is {"active": false}.',
      tags: ['oauth'],
      ...TOKEN_REQUEST,
      responses: {
        200: { description: '`{"active": true, ...}` or `{"active": false}`', schema: IntrospectionResponseSchema },
        400: { description: '`invalid_request`', schema: OAuthErrorBodySchema },
        ...OAUTH_CALLER_ERRORS,
      },
      fast: true,
      handler: async (req, res, { body }) => {
        const { caller, found } = await readTokenRequest(ctx, kinds, callers, req, body);
        if (!found || !mayIntrospect(caller, found.facts)) {
          sendOAuthJson(res, { active: false });
          return;
        }
        sendOAuthJson(res, { active: true, ...found.facts.claims });
      },
    }),
  ];
}
