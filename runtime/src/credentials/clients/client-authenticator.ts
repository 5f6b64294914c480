import type { CredentialCheckerParts } from '../bus-wired-credential.js';
import type { ClientAuthRecord } from './client-records.js';

/** Why a client failed to authenticate; for audit and metrics only, the caller always sees `invalid_client`. */
export type ClientAuthFailure = 'unknown_client' | 'bad_secret' | 'expired_secret' | 'malformed';

export type ClientAuthResult =
  | { readonly ok: true; readonly client: ClientAuthRecord; readonly secretId: string }
  | { readonly ok: false; readonly reason: ClientAuthFailure; readonly client: ClientAuthRecord | undefined };

const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SECRET_LENGTH = 256;

/**
 * Checks `client_id` + `client_secret` for the OAuth endpoints. Warm path: no store query (the client and its secret
 * hashes are cached for `API_KEY_CACHE_TTL_SECONDS`); one HMAC of the presented secret, compared in constant time with each
 * active hash, or, for a secret that already verified against the cached client, one SHA-256 (`SecretMatcher`).
 * Unknown clients are not cached (they would let a caller fill the cache); deletions and secret changes evict the
 * entry here and, through the invalidation bus, on every replica.
 */
export class ClientAuthenticator {
  readonly #o: CredentialCheckerParts<ClientAuthRecord>;

  constructor(parts: CredentialCheckerParts<ClientAuthRecord>) {
    this.#o = parts;
  }

  async authenticate(clientId: string, secret: string): Promise<ClientAuthResult> {
    if (!CLIENT_ID_PATTERN.test(clientId) || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) {
      return { ok: false, reason: 'malformed', client: undefined };
    }
    const client = await this.#o.lookup.find(clientId);
    // Compared with every active secret (at most two), and hashed even for an unknown client.
    const matched = this.#o.secrets.match(client?.secrets ?? [], secret);
    if (!client) return { ok: false, reason: 'unknown_client', client: undefined };
    if (!matched) return { ok: false, reason: 'bad_secret', client };
    const now = this.#o.clock.now();
    if (matched.expiresAt !== null && Date.parse(matched.expiresAt) <= now) {
      return { ok: false, reason: 'expired_secret', client };
    }
    this.#o.lookup.touch(matched.id, now);
    return { ok: true, client, secretId: matched.id };
  }
}
