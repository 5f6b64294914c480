import { looksLikeJwt, unverifiedIssuer } from '../../auth/jwt-shape.js';
import { principalOfEntraToken } from '../../auth/resolvers/entra-jwt.js';
import type { EntraJwtVerifier } from '../../credentials/entra/entra-jwt-verifier.js';
import type { AppContext } from '../../http/context.js';
import type { TokenKind } from '../token-kinds.js';

const num = (value: unknown) => (typeof value === 'number' ? value : undefined);

/**
 * Tokens of the configured Entra/OIDC issuer: active when they verify and map to at least one catalog permission.
 * The IdP issued them, so this server cannot revoke them (`unsupported_token_type`).
 */
export function entraJwtKind(ctx: AppContext, verifier: EntraJwtVerifier): TokenKind {
  return {
    name: 'entra_jwt',
    hints: ['access_token'],
    matches: (token) => looksLikeJwt(token) && verifier.acceptsIssuer(unverifiedIssuer(token)),
    introspect: async (token) => {
      try {
        const payload = await verifier.verify(token);
        const principal = principalOfEntraToken(ctx, payload);
        const clientId = typeof payload.azp === 'string' ? payload.azp : payload.appid;
        return {
          claims: {
            scope: principal.permissions.join(' '),
            ...(typeof clientId === 'string' ? { client_id: clientId } : {}),
            ...(principal.email ? { username: principal.email } : {}),
            token_type: 'Bearer',
            exp: num(payload.exp),
            iat: num(payload.iat),
            nbf: num(payload.nbf),
            sub: principal.subject,
            aud: payload.aud,
            iss: payload.iss,
            auth_kind: 'entra_jwt',
            org_id: principal.orgId,
            team_id: null,
            role: principal.role,
          },
          orgId: principal.orgId,
          teamId: null,
          issuedTo: null,
          credentialId: principal.credentialId,
        };
      } catch {
        return null;
      }
    },
  };
}
