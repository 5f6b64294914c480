import type { Express } from 'express';
import { authOf } from '../auth/authenticator.js';
import type { AppContext } from '../http/context.js';
import { mountRoutes } from '../http/mount-routes.js';
import type { AnyRoute } from '../http/route.js';
import { tokenKindsOf } from '../oauth/token-kinds.js';
import { type LoginDeps, loginRoutes } from './login-routes.js';
import { refreshTokenKind } from './refresh-token-kind.js';
import { type RefreshTokens, refreshTokensFor } from './refresh-tokens.js';
import { RelyingParty } from './relying-party.js';
import { SessionResolver } from './session-resolver.js';
import { sessionRoutes } from './session-routes.js';

/**
 * Browser sign-in: `/auth/login`, `/auth/callback`, `/auth/refresh`, `/auth/logout`, the session resolver
 * (CSRF Origin check for cookie-authenticated writes, e-mail and name on session principals) and the refresh-token
 * kind of `/oauth2/introspect` and `/oauth2/revoke`. Throws at
 * start-up when the configured issuer is not acceptable (plain http outside loopback, or a loopback development IdP
 * with NODE_ENV=production).
 */
export function registerSigninRoutes(app: Express, ctx: AppContext): void {
  const rp = ctx.config.oidc ? new RelyingParty(ctx.config.oidc, ctx.config.isProduction) : undefined;
  const refreshTokens = refreshTokensFor(ctx);
  const auth = authOf(ctx);
  auth.register(new SessionResolver(ctx, () => auth.resolvers().find((r) => r.name === 'access_token')), {
    first: true,
  });
  // RFC 7662/7009: /oauth2/introspect and /oauth2/revoke understand refresh tokens too.
  tokenKindsOf(ctx).register(refreshTokenKind(ctx));
  pruneRefreshTokensPeriodically(ctx, refreshTokens);
  mountRoutes(app, signinRoutes({ ctx, rp, refreshTokens }), { auth, fast: ctx.fast, openapi: ctx.openapi });
}

/** `/auth/login`, `/auth/callback` (GET and POST), `/auth/refresh` and `/auth/logout`. */
export function signinRoutes(deps: LoginDeps): AnyRoute[] {
  return [...loginRoutes(deps), ...sessionRoutes(deps.ctx, deps.refreshTokens)];
}

/** How often each replica deletes expired refresh tokens, in ms. Default one hour. */
export const REFRESH_TOKEN_PRUNE_INTERVAL_MS = 3_600_000;

function pruneRefreshTokensPeriodically(ctx: AppContext, refreshTokens: RefreshTokens): void {
  const timer = setInterval(() => {
    refreshTokens
      .pruneExpired()
      .then((deleted) => {
        if (deleted > 0) ctx.logger.debug({ deleted }, 'pruned expired refresh tokens');
      })
      .catch((error: unknown) => ctx.logger.warn({ err: error }, 'pruning expired refresh tokens failed'));
  }, REFRESH_TOKEN_PRUNE_INTERVAL_MS);
  timer.unref();
  ctx.onClose.push(() => clearInterval(timer));
}
