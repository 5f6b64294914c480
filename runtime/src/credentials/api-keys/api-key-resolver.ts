import { auditUseFailure } from '../../audit/use-failure-audit.js';
import { makePrincipal, type Principal } from '../../auth/principal.js';
import type { AuthRequest, CredentialResolver } from '../../auth/resolver.js';
import { VerifiedSecretMemo } from '../../crypto/verified-secret-memo.js';
import { AppError, tokenExpired, unauthorized } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import { apiKeyEnvironmentFor, parseApiKey, verifyApiKeySecret } from '../api-key-format.js';
import { busBoundLookup, type CredentialLookup } from '../cache/credential-lookup.js';
import type { ApiKeyRecords, ApiKeyRow } from './api-key-records.js';

/** Invalidation-bus topic of API keys; the key is the public `key_id`. */
export const API_KEY_TOPIC = 'api_key';
/**
 * Invalidation-bus topic of created API keys; the key is the new `key_id`. Only the negative cache listens: a key
 * that did not exist has nothing cached to drop.
 */
export const API_KEY_CREATED_TOPIC = 'api_key.created';
/** `last_used_at` is written at most this often per key, in seconds (also CredentialLookup's throttle interval). */
export const LAST_USED_INTERVAL_SECONDS = 60;
/** Compared against when a key_id is unknown, so unknown and wrong-secret keys cost the same. */
const NO_SUCH_HASH = '0'.repeat(64);

/** A key as the cache keeps it: enough to check a presented secret and its lifetime without the store. */
interface CachedKey {
  readonly id: string;
  readonly secretHash: string;
  /** Epoch ms; null when the key does not expire / was not rotated. */
  readonly expiresAtMs: number | null;
  readonly graceUntilMs: number | null;
  readonly revoked: boolean;
  readonly principal: Principal;
}

const INVALID = 'Invalid API key';

/**
 * `X-API-Key: sk_live_...`. The checksum is checked before anything else (typos and scanner false positives never
 * reach the store). Keys that exist are cached per key_id for `API_KEY_CACHE_TTL_SECONDS`, and so are ids that do not
 * (a bounded negative cache, dropped when a key with that id is created), so an unknown id costs no more store queries
 * than a known one; a cached entry holds the secret's hash, so every request still proves the secret
 * (constant-time HMAC comparison; a secret that already verified against the entry is recognised by a plain SHA-256,
 * see VerifiedSecretMemo), and the key's revocation and expiry are checked on every use. Revocation and rotation
 * drop the entry here and, through the invalidation bus, on every replica; the shared CredentialLookup refuses to
 * cache a row whose read was in flight when such a notice arrived (it may predate the revocation). Unknown,
 * wrong-secret and revoked keys answer `unauthorized`; `token_expired` is only said after the secret verified.
 */
export class ApiKeyResolver implements CredentialResolver {
  readonly name = 'api_key';
  readonly sources = ['api_key'] as const;
  readonly #ctx: AppContext;
  readonly #lookup: CredentialLookup<CachedKey>;
  readonly #environment: string;
  readonly #verified = new VerifiedSecretMemo();

  constructor(ctx: AppContext, records: ApiKeyRecords, bus: InvalidationBus) {
    this.#ctx = ctx;
    this.#environment = apiKeyEnvironmentFor(ctx.config.isProduction);
    this.#lookup = busBoundLookup<CachedKey>(ctx, bus, API_KEY_TOPIC, {
      cacheUnknown: true,
      load: async (keyId) => {
        const row = await records.findByKeyId(keyId);
        return row && this.#cachedKeyOf(row);
      },
      // The update's own condition also skips the write when another replica recorded a use within the interval.
      writeLastUsed: (id) => records.touchLastUsed(id, LAST_USED_INTERVAL_SECONDS),
    });
    // A bus gap on API_KEY_TOPIC clears the lookup, its negative cache included.
    bus.subscribe(API_KEY_CREATED_TOPIC, { onKey: (keyId) => this.#lookup.forgetUnknown(keyId), onReset: () => {} });
  }

  matches(value: string): boolean {
    return value.startsWith('sk_');
  }

  async resolve(value: string, request: AuthRequest): Promise<Principal> {
    const parsed = parseApiKey(value);
    // Wrong checksum, shape or environment: refused without touching the store (and without an audit row).
    if (!parsed || parsed.environment !== this.#environment) throw unauthorized(INVALID, 'checksum');
    // Filled in once the secret verified: only then may the audit row say whose key it was.
    const verified: { principal?: Principal } = {};
    try {
      return await this.#check(parsed.keyId, parsed.secret, verified);
    } catch (error) {
      if (error instanceof AppError) {
        auditUseFailure(this.#ctx, {
          kind: 'api_key.use_failed',
          credentialId: parsed.keyId,
          reason: error.reason ?? 'unknown',
          ip: request.ip,
          userAgent: request.userAgent,
          orgId: verified.principal?.orgId ?? null,
          subject: verified.principal?.subject ?? null,
          subjectKind: 'api_key',
        });
      }
      throw error;
    }
  }

  async #check(keyId: string, secret: string, verified: { principal?: Principal }): Promise<Principal> {
    const key = await this.#lookup.find(keyId);
    if (!key) {
      verifyApiKeySecret(this.#ctx.config.apiKeyPepper, secret, NO_SUCH_HASH);
      throw unauthorized(INVALID, 'unknown');
    }
    if (!this.#secretVerifies(key, secret)) throw unauthorized(INVALID, 'bad_secret');
    verified.principal = key.principal;
    if (key.revoked) throw unauthorized('The API key has been revoked', 'revoked');
    this.#assertInLifetime(key.expiresAtMs, key.graceUntilMs);
    this.#lookup.touch(key.id, this.#ctx.clock.now());
    return key.principal;
  }

  /** The full HMAC check, unless this exact secret already verified against this cache entry. */
  #secretVerifies(key: CachedKey, secret: string): boolean {
    const digest = this.#verified.digest(secret);
    if (this.#verified.matches(key, digest)) return true;
    if (!verifyApiKeySecret(this.#ctx.config.apiKeyPepper, secret, key.secretHash)) return false;
    this.#verified.remember(key, digest);
    return true;
  }

  #cachedKeyOf(row: ApiKeyRow): CachedKey {
    return {
      id: row.id,
      secretHash: row.secret_hash,
      expiresAtMs: row.expires_at ? Date.parse(row.expires_at) : null,
      graceUntilMs: row.grace_until ? Date.parse(row.grace_until) : null,
      revoked: row.revoked_at !== null,
      principal: this.#principalOf(row),
    };
  }

  #assertInLifetime(expiresAtMs: number | null, graceUntilMs: number | null): void {
    if (expiresAtMs === null && graceUntilMs === null) return;
    const now = this.#ctx.clock.now();
    if (expiresAtMs !== null && expiresAtMs <= now) throw tokenExpired('The API key has expired');
    if (graceUntilMs !== null && graceUntilMs <= now) {
      throw tokenExpired('The API key was replaced by rotation and its grace period has ended');
    }
  }

  #principalOf(row: ApiKeyRow): Principal {
    return makePrincipal(this.#ctx.config.catalog, {
      kind: 'api_key',
      subject: `api_key:${row.key_id}`,
      role: row.role,
      scopes: row.scopes.split(' ').filter(Boolean),
      orgId: row.org_id,
      teamId: row.team_id,
      name: row.name,
      credentialId: row.key_id,
      requestBudgetPerMinute: row.rate_limit_per_minute,
    });
  }
}
