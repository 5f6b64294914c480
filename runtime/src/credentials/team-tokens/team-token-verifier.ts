import type { Store } from '../../store/store.js';
import type { CredentialCheckerParts } from '../bus-wired-credential.js';
import type { CredentialSource } from '../cache/credential-lookup.js';
import { parseTeamToken } from './team-token-format.js';
import type { TeamTokenKind } from './team-token-service.js';

/** A stored team/admin token as the verifier caches it (hash included, never the secret). */
export interface TeamTokenRecord {
  readonly tokenId: string;
  readonly kind: TeamTokenKind;
  readonly orgId: string;
  readonly teamId: string | null;
  readonly permissions: readonly string[];
  readonly hash: string;
  readonly createdAt: string;
  readonly expiresAt: string | null;
  readonly revoked: boolean;
}

/** `malformed`/`unknown`/`bad_secret` say nothing about a real token; `expired`/`revoked` only follow a good secret. */
export type TeamTokenFailure = 'malformed' | 'unknown' | 'bad_secret' | 'expired' | 'revoked';

export type TeamTokenCheck =
  | { readonly ok: true; readonly token: TeamTokenRecord }
  | {
      readonly ok: false;
      readonly reason: TeamTokenFailure;
      readonly tokenId: string | null;
      /** The token, only when its secret matched (`revoked`, `expired`): who it was may then be said. */
      readonly token?: TeamTokenRecord;
    };

/**
 * Checks `<tokid>.<toksecret>` tokens. Warm path: no store query (rows cached for `API_KEY_CACHE_TTL_SECONDS`, revocation
 * evicts here and on every replica through the invalidation bus), one HMAC compared in constant time, or one SHA-256
 * for a secret that already verified (`SecretMatcher`). The state of a token (expired, revoked) is only reported once
 * its secret matched.
 */
export class TeamTokenVerifier {
  readonly #o: CredentialCheckerParts<TeamTokenRecord>;

  constructor(parts: CredentialCheckerParts<TeamTokenRecord>) {
    this.#o = parts;
  }

  /** Checks a presented token without side effects other than a throttled `last_used_at` write on success. */
  async check(presented: string): Promise<TeamTokenCheck> {
    const parsed = parseTeamToken(presented);
    if (!parsed) return { ok: false, reason: 'malformed', tokenId: null };
    const record = await this.#o.lookup.find(parsed.tokenId);
    // Hashed even for an unknown token, so the answer takes as long as for a wrong secret.
    const matched = this.#o.secrets.match(record ? [record] : [], parsed.secret);
    if (!record) return { ok: false, reason: 'unknown', tokenId: parsed.tokenId };
    if (!matched) return { ok: false, reason: 'bad_secret', tokenId: parsed.tokenId };
    if (record.revoked) return { ok: false, reason: 'revoked', tokenId: parsed.tokenId, token: record };
    const now = this.#o.clock.now();
    if (record.expiresAt !== null && Date.parse(record.expiresAt) <= now) {
      return { ok: false, reason: 'expired', tokenId: parsed.tokenId, token: record };
    }
    this.#o.lookup.touch(record.tokenId, now);
    return { ok: true, token: record };
  }
}

/** Team and admin tokens as `TeamTokenVerifier` reads them: by token_id, revoked ones included. */
export const teamTokenSource = (store: Store): CredentialSource<TeamTokenRecord> => ({
  load: (tokenId) => loadTeamToken(store, tokenId),
  writeLastUsed: (tokenId, at) =>
    store.db.updateTable('team_tokens').set({ last_used_at: at }).where('token_id', '=', tokenId).execute(),
});

/** A stored token by id, revoked or not (the verifier reports `revoked` only after the secret matched). */
async function loadTeamToken(store: Store, tokenId: string): Promise<TeamTokenRecord | undefined> {
  const row = await store.db.selectFrom('team_tokens').selectAll().where('token_id', '=', tokenId).executeTakeFirst();
  if (!row) return undefined;
  return {
    tokenId: row.token_id,
    kind: row.kind as TeamTokenKind,
    orgId: row.org_id,
    teamId: row.team_id,
    permissions: row.scopes.split(' ').filter(Boolean),
    hash: row.secret_hash,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revoked: row.revoked_at !== null,
  };
}
