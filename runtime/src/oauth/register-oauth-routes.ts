import type { Express } from 'express';
import { authOf } from '../auth/authenticator.js';
import type { AppContext } from '../http/context.js';
import { mountRoutes } from '../http/mount-routes.js';
import { clientCredentialsGrant } from './grants/client-credentials.js';
import { grantsOf } from './grants.js';
import { introspectionRoutes } from './introspection-endpoint.js';
import { accessTokenKind } from './kinds/access-token-kind.js';
import { apiKeyKind } from './kinds/api-key-kind.js';
import { teamTokenKind } from './kinds/team-token-kind.js';
import { revocationRoutes } from './revocation-endpoint.js';
import { tokenRoutes } from './token-endpoint.js';
import { tokenKindsOf } from './token-kinds.js';

/**
 * The OAuth endpoints, all fast routes: `POST /oauth2/token` (client_credentials), `/oauth2/introspect` (RFC 7662)
 * and `/oauth2/revoke` (RFC 7009), with the token kinds this module owns (our access tokens, team/admin tokens, and
 * API keys through the API-key resolver and service).
 * Other modules add theirs with `tokenKindsOf(ctx).register(...)` and grants with `grantsOf(ctx).register(...)`.
 */
export function registerOAuthRoutes(app: Express, ctx: AppContext): void {
  const grants = grantsOf(ctx);
  grants.register('client_credentials', clientCredentialsGrant(ctx));
  const kinds = tokenKindsOf(ctx);
  kinds.register(accessTokenKind(ctx));
  kinds.register(teamTokenKind(ctx));
  kinds.register(apiKeyKind(ctx));
  const routes = [...tokenRoutes(grants), ...introspectionRoutes(ctx, kinds), ...revocationRoutes(ctx, kinds)];
  mountRoutes(app, routes, { auth: authOf(ctx), fast: ctx.fast, openapi: ctx.openapi });
}
