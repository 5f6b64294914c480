import type { Express } from 'express';
import { authOf } from '../../auth/authenticator.js';
import { entraJwtResolver } from '../../auth/resolvers/entra-jwt.js';
import type { AppContext } from '../../http/context.js';
import { entraJwtKind } from '../../oauth/kinds/entra-jwt-kind.js';
import { tokenKindsOf } from '../../oauth/token-kinds.js';
import { EntraJwtVerifier } from './entra-jwt-verifier.js';

/**
 * Accepts JWTs of the configured OIDC issuer (OIDC_ISSUER, audience OIDC_AUDIENCE, default OIDC_CLIENT_ID; for
 * Entra also its v1.0 tokens, OIDC_V1_ISSUER with OIDC_APP_ID_URI or the client id as audience) as
 * `Authorization: Bearer` (`auth_kind` entra_jwt) and in introspection. Without OIDC configuration nothing is
 * registered and such tokens are refused like any unknown credential.
 */
export function registerEntraJwt(_app: Express, ctx: AppContext): void {
  const oidc = ctx.config.oidc;
  if (!oidc) return;
  const verifier = new EntraJwtVerifier({
    issuer: oidc.issuer,
    audience: oidc.audience,
    v1Issuer: oidc.v1Issuer,
    appIdUri: oidc.appIdUri,
    clock: ctx.clock,
    logger: ctx.logger,
  });
  authOf(ctx).register(entraJwtResolver(ctx, verifier));
  tokenKindsOf(ctx).register(entraJwtKind(ctx, verifier));
}
