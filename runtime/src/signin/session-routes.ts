import type { Request } from 'express';
import type { z } from 'zod';
import { unauthorized } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema } from '../http/openapi.js';
import { requestMeta } from '../http/request-meta.js';
import { forbiddenResponse, ORIGIN_REFUSED } from '../http/responses.js';
import { type AnyRoute, route } from '../http/route.js';
import {
  ACCESS_TOKEN_COOKIE,
  clearSessionCookies,
  hasSessionCookie,
  REFRESH_TOKEN_COOKIE,
  readCookie,
} from './cookies.js';
import { assertAllowedOrigin } from './origin-check.js';
import { RefreshBodySchema, RefreshCookieResponseSchema, RefreshJsonResponseSchema } from './schemas.js';
import type { SessionService } from './session-service.js';
import { setSessionCookiesFor } from './session-tokens.js';

const REFRESH_REFUSED = 'The refresh token is not valid; sign in again at /auth/login';
const tags = ['sign-in'];
/** The handler reads the refresh token, from the body or the cookie, itself. */
const sessionAccess = { security: ['cookie'], authenticates: 'handler' } as const;
/** Optional: cookie callers send none. */
const refreshBody = { kind: 'json', schema: RefreshBodySchema } as const;
const originRefused = forbiddenResponse(ORIGIN_REFUSED);

/**
 * Where the refresh token came from. A JSON body `{"refresh_token"}` wins and gets JSON back; otherwise the
 * `refresh_token` cookie, which makes the request cookie-authenticated and subject to the Origin check.
 */
function presentedRefreshToken(
  req: Request,
  ctx: AppContext,
  body: z.output<typeof RefreshBodySchema> | undefined,
): { token: string | undefined; viaCookie: boolean } {
  if (body?.refresh_token !== undefined) return { token: body.refresh_token, viaCookie: false };
  if (hasSessionCookie(req)) assertAllowedOrigin(req, ctx.config.allowedOrigins);
  return { token: readCookie(req, REFRESH_TOKEN_COOKIE), viaCookie: true };
}

/** `POST /auth/refresh` (rotation with reuse detection) and `POST /auth/logout` (revokes the family). */
export function sessionRoutes(deps: { readonly ctx: AppContext; readonly sessions: SessionService }): AnyRoute[] {
  const { ctx, sessions } = deps;
  return [
    route({
      method: 'post',
      path: '/auth/refresh',
      summary: 'Rotate the refresh token and issue a new access token (re-reads the user: role changes apply here)',
      description:
        'Cookie callers send the `refresh_token` cookie (Origin checked) and get new cookies; body callers send `{"refresh_token"}` and get JSON. A refresh token presented twice revokes its whole session (401), except the immediately previous token within REFRESH_REUSE_GRACE_SECONDS (two tabs).',
      tags,
      access: sessionAccess,
      body: refreshBody,
      bodyOptional: true,
      responses: {
        200: {
          description: 'Rotated. Body callers: the tokens; cookie callers: new cookies and the expiry',
          schema: RefreshJsonResponseSchema.or(RefreshCookieResponseSchema),
        },
        401: { description: 'Missing, unknown, expired, revoked or reused refresh token', schema: ErrorBodySchema },
        403: originRefused,
      },
      handler: async (req, res, input) => {
        const { token, viaCookie } = presentedRefreshToken(req, ctx, input.body);
        const result = await sessions.refresh(token, requestMeta(req));
        if (result.outcome === 'refused') {
          if (viaCookie) clearSessionCookies(res);
          throw unauthorized(REFRESH_REFUSED, result.reason);
        }
        const { access, refresh } = result;
        if (!viaCookie) {
          return {
            access_token: access.token,
            token_type: 'Bearer',
            expires_in: access.expiresIn,
            refresh_token: refresh.token,
            token_expiry: access.expiresAt,
          };
        }
        setSessionCookiesFor(ctx, res, access, refresh);
        return { token_expiry: access.expiresAt, expires_in: access.expiresIn };
      },
    }),
    route({
      method: 'post',
      path: '/auth/logout',
      summary: 'Sign out: revoke the refresh-token family and the current access token, clear the cookies',
      tags,
      access: sessionAccess,
      body: refreshBody,
      bodyOptional: true,
      status: 204,
      responses: {
        204: { description: 'Signed out (also when nothing was signed in)' },
        403: originRefused,
      },
      handler: async (req, res, input) => {
        const { token, viaCookie } = presentedRefreshToken(req, ctx, input.body);
        // With the cookie, the browser's access token is revoked too (a copy of the cookie stops working now).
        const accessToken = viaCookie ? readCookie(req, ACCESS_TOKEN_COOKIE) : undefined;
        await sessions.logout({ refreshToken: token, accessToken }, requestMeta(req));
        clearSessionCookies(res);
      },
    }),
  ];
}
