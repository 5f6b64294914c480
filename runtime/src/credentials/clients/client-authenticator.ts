import { constantTimeEqual } from '../../crypto/constant-time.js';
import { hashSecret } from '../../crypto/secret-hash.js';
import { VerifiedSecretMemo } from '../../crypto/verified-secret-memo.js';
import { type CredentialCheckerOptions, CredentialLookup } from '../cache/credential-lookup.js';
import { type ClientAuthRecord, loadClientAuthRecord } from './client-records.js';

/** Why a client failed to authenticate; for audit and metrics only, the caller always sees `invalid_client`. */
export type ClientAuthFailure = 'unknown_client' | 'bad_secret' | 'expired_secret' | 'malformed';

export type ClientAuthResult =
  | { readonly ok: true; readonly client: ClientAuthRecord; readonly secretId: string }
  | { readonly ok: false; readonly reason: ClientAuthFailure; readonly client: ClientAuthRecord | undefined };

const CLIENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_SECRET_LENGTH = 256;

/**
 * Checks `client_id` + `client_secret` for the OAuth endpoints. Warm path: no store query (the client and its secret
 * hashes are cached for `cacheTtlSeconds`); one HMAC of the presented secret, compared in constant time with each
 * active hash, or, for a secret that already verified against the cached client, one SHA-256 (VerifiedSecretMemo).
 * Unknown clients are not cached (they would let a caller fill the cache); deletions and secret changes evict the
 * entry here and, through the invalidation bus, on every replica.
 */
export class ClientAuthenticator {
  readonly #o: CredentialCheckerOptions;
  readonly #lookup: CredentialLookup<ClientAuthRecord>;
  readonly #verified = new VerifiedSecretMemo();

  constructor(options: CredentialCheckerOptions) {
    this.#o = options;
    this.#lookup = new CredentialLookup({
      ...options,
      load: (clientId) => loadClientAuthRecord(options.store, clientId),
      writeLastUsed: (secretId, at) =>
        options.store.db
          .updateTable('api_client_secrets')
          .set({ last_used_at: at })
          .where('id', '=', secretId)
          .execute(),
    });
  }

  async authenticate(clientId: string, secret: string): Promise<ClientAuthResult> {
    if (!CLIENT_ID_PATTERN.test(clientId) || secret.length === 0 || secret.length > MAX_SECRET_LENGTH) {
      return { ok: false, reason: 'malformed', client: undefined };
    }
    const client = await this.#lookup.find(clientId);
    const matched = this.#matchingSecret(client, secret);
    if (!client) return { ok: false, reason: 'unknown_client', client: undefined };
    if (!matched) return { ok: false, reason: 'bad_secret', client };
    const now = this.#o.clock.now();
    if (matched.expiresAt !== null && Date.parse(matched.expiresAt) <= now) {
      return { ok: false, reason: 'expired_secret', client };
    }
    this.#lookup.touch(matched.id, now);
    return { ok: true, client, secretId: matched.id };
  }

  /**
   * The active secret of `client` that `secret` is, if any. A secret that already verified against this cached client
   * is recognised by its SHA-256 (VerifiedSecretMemo). Anything else pays the HMAC, even for an unknown client, so the
   * answer takes as long as for a wrong secret, and is compared with every active secret (at most two), so timing
   * does not tell which one matched.
   */
  #matchingSecret(
    client: ClientAuthRecord | undefined,
    secret: string,
  ): ClientAuthRecord['secrets'][number] | undefined {
    const digest = this.#verified.digest(secret);
    const remembered = client?.secrets.find((candidate) => this.#verified.matches(candidate, digest));
    if (remembered) return remembered;
    const presented = hashSecret(this.#o.pepper, secret);
    let matched: ClientAuthRecord['secrets'][number] | undefined;
    for (const candidate of client?.secrets ?? []) {
      if (constantTimeEqual(presented, candidate.hash)) matched = candidate;
    }
    if (matched) this.#verified.remember(matched, digest);
    return matched;
  }

  /** Forgets a client here (after a deletion or a secret change, or when another replica announced one). */
  evict(clientId: string): void {
    this.#lookup.evict(clientId);
  }

  /** Forgets every client (the invalidation bus had a gap). */
  clear(): void {
    this.#lookup.clear();
  }
}
