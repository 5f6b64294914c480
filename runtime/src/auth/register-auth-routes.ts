import type { Express } from 'express';
import type { AppContext } from '../http/context.js';
import { mountRoutes } from '../http/mount-routes.js';
import { accessTokenDenylistFor } from './access-token-denylist.js';
import { AccessTokenResolver } from './access-token-resolver.js';
import { authOf } from './authenticator.js';
import { meRoutes } from './me-route.js';
import { verifyRoutes } from './verify-route.js';

/**
 * The authentication framework's routes (`/auth/me`, `/auth/verify`) and our own access-token resolver. Other
 * credential kinds register their resolvers with `authOf(ctx).register(...)` from their own modules.
 */
export function registerAuthRoutes(app: Express, ctx: AppContext): void {
  const auth = authOf(ctx);
  auth.useTrustProxy(app.get('trust proxy fn'));
  auth.register(new AccessTokenResolver(ctx, accessTokenDenylistFor(ctx)));
  mountRoutes(app, [...meRoutes(), ...verifyRoutes(auth)], { auth, fast: ctx.fast, openapi: ctx.openapi });
}
