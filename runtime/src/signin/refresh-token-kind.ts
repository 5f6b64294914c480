import type { AppContext } from '../http/context.js';
import type { TokenKind } from '../oauth/token-kinds.js';
import { RefreshTokens } from './refresh-tokens.js';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/**
 * Refresh tokens for `/oauth2/introspect` (active while unused, unexpired and their session not revoked) and
 * `/oauth2/revoke` (RFC 7009: revoking a refresh token ends its whole session, as logout does).
 */
export function refreshTokenKind(ctx: AppContext, refreshTokens: RefreshTokens): TokenKind {
  return {
    name: 'refresh_token',
    hints: ['refresh_token'],
    matches: (token) => RefreshTokens.looksLikeRefreshToken(token),
    introspect: async (token) => {
      const live = await refreshTokens.describe(token);
      if (!live) return null;
      return {
        claims: {
          token_type: 'refresh_token',
          exp: epoch(live.expiresAt),
          iat: epoch(live.createdAt),
          sub: live.userId,
          iss: ctx.config.publicUrl,
          jti: live.tokenId,
          auth_kind: 'session',
          org_id: live.orgId,
          team_id: live.teamId,
          role: live.role,
        },
        orgId: live.orgId,
        teamId: live.teamId,
        issuedTo: null,
        credentialId: live.tokenId,
      };
    },
    revoke: async (token, facts, request) => {
      const ended = await refreshTokens.revokeFamilyOf(token, 'revoked');
      if (!ended) return;
      await ctx.audit.record({
        kind: 'session.revoked',
        outcome: 'success',
        actor: request.actor,
        credentialId: ended.familyId,
        orgId: facts.orgId,
        target: ended.userId,
        reason: 'oauth2_revoke',
        ip: request.ip,
        userAgent: request.userAgent,
      });
    },
  };
}
