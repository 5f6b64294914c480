import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import type { OrgDirectory } from '../../orgs/org-directory.js';
import { busBoundChecker } from '../cache/credential-lookup.js';
import { TeamTokenService } from './team-token-service.js';
import { TeamTokenVerifier } from './team-token-verifier.js';

/** Invalidation-bus topic: a team or org admin token was revoked; the key is its token_id. */
export const TEAM_TOKEN_REVOKED_TOPIC = 'team_token.revoked';

export interface TeamTokens {
  readonly service: TeamTokenService;
  readonly verifier: TeamTokenVerifier;
}

/**
 * The team/admin token service and verifier, wired to the invalidation bus so a revocation on any replica evicts the
 * token from every replica's cache at once (TTL `API_KEY_CACHE_TTL_SECONDS` bounds a lost notice).
 */
export function createTeamTokens(ctx: AppContext, bus: InvalidationBus, orgs: OrgDirectory): TeamTokens {
  const verifier = busBoundChecker(ctx, bus, TEAM_TOKEN_REVOKED_TOPIC, (o) => new TeamTokenVerifier(o));
  const service = new TeamTokenService({
    store: ctx.store,
    clock: ctx.clock,
    pepper: ctx.config.apiKeyPepper,
    catalog: ctx.config.catalog,
    audit: ctx.audit,
    orgs,
    onRevoke: (tokenId) => bus.publish(TEAM_TOKEN_REVOKED_TOPIC, tokenId),
  });
  return { service, verifier };
}
