import type { AnyRoute } from '../http/route.js';
import { type LoginDeps, loginRoutes } from './login-routes.js';
import { sessionRoutes } from './session-routes.js';
import type { SessionService } from './session-service.js';

/**
 * Browser sign-in: `/auth/login`, `/auth/callback` (GET and POST), `/auth/refresh` and `/auth/logout`. Without an IdP
 * (`deps.rp` undefined) the sign-in endpoints answer 404; refresh and logout still serve local-login sessions.
 */
export function signinRoutes(deps: LoginDeps & { readonly sessions: SessionService }): AnyRoute[] {
  return [...loginRoutes(deps), ...sessionRoutes(deps)];
}
