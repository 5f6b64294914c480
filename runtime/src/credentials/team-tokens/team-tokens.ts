import type { AppContext } from '../../http/context.js';
import { invalidationBusFor } from '../../invalidation/bus.js';
import { orgDirectoryOf } from '../../orgs/org-directory.js';
import { busBoundChecker } from '../cache/credential-lookup.js';
import { perApp } from '../per-app.js';
import { TeamTokenService } from './team-token-service.js';
import { TeamTokenVerifier } from './team-token-verifier.js';

/** Invalidation-bus topic: a team or org admin token was revoked; the key is its token_id. */
export const TEAM_TOKEN_REVOKED_TOPIC = 'team_token.revoked';

export interface TeamTokens {
  readonly service: TeamTokenService;
  readonly verifier: TeamTokenVerifier;
}

/**
 * The app's team/admin token service and verifier, wired to the invalidation bus so a revocation on any replica
 * evicts the token from every replica's cache at once (TTL `API_KEY_CACHE_TTL_SECONDS` bounds a lost notice).
 */
export const teamTokensOf = perApp((ctx: AppContext): TeamTokens => {
  const verifier = busBoundChecker(ctx, TEAM_TOKEN_REVOKED_TOPIC, (o) => new TeamTokenVerifier(o));
  const bus = invalidationBusFor(ctx);
  const service = new TeamTokenService({
    store: ctx.store,
    clock: ctx.clock,
    pepper: ctx.config.apiKeyPepper,
    catalog: ctx.config.catalog,
    audit: ctx.audit,
    orgs: orgDirectoryOf(ctx),
    onRevoke: (tokenId) => bus.publish(TEAM_TOKEN_REVOKED_TOPIC, tokenId),
  });
  return { service, verifier };
});
