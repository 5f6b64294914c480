import { looksLikeTeamToken } from '../../credentials/team-tokens/team-token-format.js';
import type { TeamTokens } from '../../credentials/team-tokens/team-tokens.js';
import type { TokenKind } from '../token-kinds.js';

const epoch = (iso: string) => Math.floor(Date.parse(iso) / 1000);

/** Team and org admin tokens (`<tokid>.<toksecret>`); revocation is the same as `POST /api/v1/tokens/revoke`. */
export function teamTokenKind({ checker: verifier, service }: TeamTokens): TokenKind {
  return {
    name: 'team_token',
    hints: ['team_token', 'admin_token', 'access_token'],
    matches: (token) => looksLikeTeamToken(token),
    introspect: async (token) => {
      const result = await verifier.check(token);
      if (!result.ok) return null;
      const t = result.token;
      const kind = t.kind === 'admin' ? 'admin_token' : 'team_token';
      return {
        claims: {
          scope: t.permissions.join(' '),
          token_type: 'Bearer',
          ...(t.expiresAt ? { exp: epoch(t.expiresAt) } : {}),
          iat: epoch(t.createdAt),
          sub: `${kind}:${t.tokenId}`,
          jti: t.tokenId,
          auth_kind: kind,
          org_id: t.orgId,
          team_id: t.teamId,
          role: null,
        },
        orgId: t.orgId,
        teamId: t.teamId,
        issuedTo: null,
        credentialId: t.tokenId,
      };
    },
    revoke: async (_token, facts, request) => {
      await service.revoke(facts.orgId, facts.credentialId, request);
    },
  };
}
