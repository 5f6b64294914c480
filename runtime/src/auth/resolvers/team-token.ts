import { auditUseFailure } from '../../audit/use-failure-audit.js';
import { looksLikeTeamToken } from '../../credentials/team-tokens/team-token-format.js';
import type { TeamTokenRecord, TeamTokenVerifier } from '../../credentials/team-tokens/team-token-verifier.js';
import { tokenExpired, unauthorized } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { makePrincipal, type Principal } from '../principal.js';
import type { CredentialResolver } from '../resolver.js';

/** The principal a team/admin token stands for: exactly its stored permissions, bound to its org (and team). */
export function principalOfTeamToken(ctx: AppContext, token: TeamTokenRecord): Principal {
  const kind = token.kind === 'admin' ? 'admin_token' : 'team_token';
  return makePrincipal(ctx.config.catalog, {
    kind,
    subject: `${kind}:${token.tokenId}`,
    role: null,
    scopes: token.permissions,
    extraPermissions: [],
    orgId: token.orgId,
    teamId: token.teamId,
    credentialId: token.tokenId,
  });
}

/**
 * `Authorization: Bearer <tokid>.<toksecret>`: team tokens (`auth_kind` team_token) and org admin tokens
 * (`admin_token`). Unknown, bad-secret and revoked tokens answer 401 `unauthorized`; an expired token answers
 * `token_expired`, but only once its secret matched.
 */
export function teamTokenResolver(ctx: AppContext, verifier: TeamTokenVerifier): CredentialResolver {
  return {
    name: 'team_token',
    sources: ['bearer'],
    matches: (token) => looksLikeTeamToken(token),
    resolve: async (token, { ip, userAgent }) => {
      const result = await verifier.check(token);
      if (result.ok) return principalOfTeamToken(ctx, result.token);
      // Who the token belongs to is only said once its secret matched (revoked or expired).
      const known = result.token ? principalOfTeamToken(ctx, result.token) : undefined;
      auditUseFailure(ctx, {
        kind: 'team_token.use_failed',
        credentialId: result.tokenId,
        reason: result.reason,
        ip,
        userAgent,
        orgId: known?.orgId ?? null,
        subject: known?.subject ?? null,
        subjectKind: known?.kind,
      });
      if (result.reason === 'expired') throw tokenExpired('Token has expired');
      throw unauthorized('Invalid or expired token', result.reason);
    },
  };
}
