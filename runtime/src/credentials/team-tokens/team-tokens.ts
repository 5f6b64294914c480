import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import type { OrgDirectory } from '../../orgs/org-directory.js';
import { type BusWiredCredential, busWiredCredential } from '../bus-wired-credential.js';
import { TeamTokenService } from './team-token-service.js';
import { TeamTokenVerifier, teamTokenSource } from './team-token-verifier.js';

/** Invalidation-bus topic: a team or org admin token was revoked; the key is its token_id. */
export const TEAM_TOKEN_REVOKED_TOPIC = 'team_token.revoked';

/** The team/admin token service, and the verifier of presented tokens. */
export type TeamTokens = BusWiredCredential<TeamTokenVerifier, TeamTokenService>;

/** A token revoked on any replica is evicted from every replica's verifier at once. */
export const createTeamTokens = (ctx: AppContext, bus: InvalidationBus, orgs: OrgDirectory): TeamTokens =>
  busWiredCredential(ctx, bus, TEAM_TOKEN_REVOKED_TOPIC, {
    source: teamTokenSource,
    checker: TeamTokenVerifier,
    service: (options) => new TeamTokenService({ ...options, orgs }),
  });
