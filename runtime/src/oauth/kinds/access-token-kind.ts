import { type AccessTokenDenylist, revokeAccessToken } from '../../auth/access-token-denylist.js';
import { looksLikeJwt, unverifiedIssuer } from '../../auth/jwt-shape.js';
import type { AppContext } from '../../http/context.js';
import type { AccessTokenClaims } from '../../tokens/access-tokens.js';
import type { TokenKind } from '../token-kinds.js';

/**
 * Our own access tokens (every `auth_kind`): active while the signature, issuer, audience and `exp` verify and the
 * `jti` is not on the denylist. Revocation puts the `jti` on the denylist until `exp` (every replica within a second).
 */
export function accessTokenKind(ctx: AppContext, denylist: AccessTokenDenylist): TokenKind {
  return {
    name: 'access_token',
    hints: ['access_token'],
    matches: (token) => looksLikeJwt(token) && unverifiedIssuer(token) === ctx.config.publicUrl,
    introspect: async (token) => {
      let claims: AccessTokenClaims;
      try {
        claims = await ctx.tokens.verify(token);
      } catch {
        return null;
      }
      await denylist.ready();
      if (denylist.isRevoked(claims.jti)) return null;
      const isClient = claims.auth_kind === 'client_credentials';
      return {
        claims: {
          scope: claims.scope,
          ...(claims.client_id !== undefined || isClient ? { client_id: claims.client_id ?? claims.sub } : {}),
          token_type: 'Bearer',
          exp: claims.exp,
          iat: claims.iat,
          sub: claims.sub,
          aud: claims.aud,
          iss: claims.iss,
          jti: claims.jti,
          auth_kind: claims.auth_kind,
          org_id: claims.org_id,
          team_id: claims.team_id ?? null,
          role: claims.role ?? null,
        },
        orgId: claims.org_id,
        teamId: claims.team_id ?? null,
        issuedTo: isClient ? claims.sub : null,
        credentialId: claims.jti,
      };
    },
    revoke: async (_token, facts, request) => {
      await revokeAccessToken(ctx, denylist, facts.credentialId, facts.claims.exp as number, {
        actor: request.actor,
        orgId: facts.orgId,
        subject: facts.claims.sub ?? null,
        reason: 'oauth2_revoke',
        ip: request.ip,
        userAgent: request.userAgent,
      });
    },
  };
}
