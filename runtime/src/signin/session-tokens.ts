import type { ServerResponse } from 'node:http';
import { expandRole } from '../../../catalog/index.js';
import type { AppContext } from '../http/context.js';
import type { IssuedAccessToken } from '../tokens/access-tokens.js';
import { setSessionCookies } from './cookies.js';
import type { IssuedRefreshToken } from './refresh-tokens.js';
import type { UserRow } from './sign-in-user.js';

/**
 * Issues a session access token (`auth_kind` "session", `sub` the user id) for the user's role AS STORED NOW, so a
 * role change takes effect at the next refresh. The `scope` claim carries every permission of the role (product scopes
 * and management permissions): the access-token resolver grants exactly what a token carries.
 */
export async function issueSessionAccessToken(ctx: AppContext, user: UserRow) {
  return ctx.tokens.issue({
    subject: user.id,
    role: user.role,
    scopes: expandRole(ctx.config.catalog, user.role),
    authKind: 'session',
    orgId: user.org_id,
    teamId: user.team_id,
  });
}

/**
 * Sets the three session cookies for a freshly issued access token and refresh token. The refresh cookie lives exactly
 * as long as its token, so it ends with the session (`SESSION_MAX_LIFETIME_SECONDS`) rather than a full TTL later.
 */
export function setSessionCookiesFor(
  ctx: AppContext,
  res: ServerResponse,
  access: IssuedAccessToken,
  refresh: IssuedRefreshToken,
): void {
  setSessionCookies(res, {
    accessToken: access.token,
    accessTokenExpiresAt: access.expiresAt,
    accessTokenTtlSeconds: access.expiresIn,
    refreshToken: refresh.token,
    refreshTokenTtlSeconds: Math.max(0, Math.floor((Date.parse(refresh.expiresAt) - ctx.clock.now()) / 1000)),
  });
}

/** Public view of a user in sign-in responses and the users API. */
export function userView(user: UserRow) {
  return {
    id: user.id,
    email: user.email,
    name: user.name,
    role: user.role,
    org_id: user.org_id,
    team_id: user.team_id,
    created_at: user.created_at,
    last_sign_in_at: user.last_sign_in_at,
    disabled: user.disabled_at !== null,
  };
}
