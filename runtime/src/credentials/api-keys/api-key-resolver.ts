import { auditUseFailure } from '../../audit/use-failure-audit.js';
import { makePrincipal, type Principal } from '../../auth/principal.js';
import type { AuthRequest, CredentialResolver } from '../../auth/resolver.js';
import { AppError, tokenExpired, unauthorized } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import { apiKeyEnvironmentFor, parseApiKey, verifyApiKeySecret } from '../api-key-format.js';
import { BoundedTtlCache } from '../cache/bounded-ttl-cache.js';
import { LastUsedThrottle } from '../last-used-throttle.js';
import type { ApiKeyRecords, ApiKeyRow } from './api-key-records.js';

/** Invalidation-bus topic of API keys; the key is the public `key_id`. */
export const API_KEY_TOPIC = 'api_key';
/** `last_used_at` is written at most this often per key, in seconds. */
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
  readonly principal: Principal;
}

const INVALID = 'Invalid API key';

/**
 * `X-API-Key: sk_live_...`. The checksum is checked before anything else (typos and scanner false positives never
 * reach the store). Positive results are cached per key_id for `API_KEY_CACHE_TTL_SECONDS`; a cached entry holds the
 * secret's hash, so every request still proves the secret (constant-time HMAC comparison) and the key's expiry is
 * checked against the clock on every use. Revocation and rotation drop the entry here and, through the invalidation
 * bus, on every replica. Unknown, wrong-secret and revoked keys answer `unauthorized`; `token_expired` is only said
 * after the secret verified.
 */
export class ApiKeyResolver implements CredentialResolver {
  readonly name = 'api_key';
  readonly sources = ['api_key'] as const;
  readonly #ctx: AppContext;
  readonly #records: ApiKeyRecords;
  readonly #cache: BoundedTtlCache<CachedKey>;
  readonly #lastUsed = new LastUsedThrottle(LAST_USED_INTERVAL_SECONDS * 1000);
  readonly #environment: string;

  constructor(ctx: AppContext, records: ApiKeyRecords, bus: InvalidationBus) {
    this.#ctx = ctx;
    this.#records = records;
    this.#environment = apiKeyEnvironmentFor(ctx.config.isProduction);
    this.#cache = new BoundedTtlCache<CachedKey>({
      ttlMs: ctx.config.apiKeyCacheTtlSeconds * 1000,
      now: () => ctx.clock.now(),
      enabled: () => bus.healthy,
    });
    bus.subscribe(API_KEY_TOPIC, { onKey: (keyId) => this.#cache.delete(keyId), onReset: () => this.#cache.clear() });
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
    const pepper = this.#ctx.config.apiKeyPepper;
    const cached = this.#cache.get(keyId);
    if (cached) {
      if (!verifyApiKeySecret(pepper, secret, cached.secretHash)) throw unauthorized(INVALID, 'bad_secret');
      verified.principal = cached.principal;
      this.#assertInLifetime(cached.expiresAtMs, cached.graceUntilMs);
      this.#touch(cached.id, keyId);
      return cached.principal;
    }
    const row = await this.#records.findByKeyId(keyId);
    if (!row) {
      verifyApiKeySecret(pepper, secret, NO_SUCH_HASH);
      throw unauthorized(INVALID, 'unknown');
    }
    if (!verifyApiKeySecret(pepper, secret, row.secret_hash)) throw unauthorized(INVALID, 'bad_secret');
    const principal = this.#principalOf(row);
    verified.principal = principal;
    if (row.revoked_at) throw unauthorized('The API key has been revoked', 'revoked');
    const expiresAtMs = row.expires_at ? Date.parse(row.expires_at) : null;
    const graceUntilMs = row.grace_until ? Date.parse(row.grace_until) : null;
    this.#assertInLifetime(expiresAtMs, graceUntilMs);
    this.#cache.set(keyId, { id: row.id, secretHash: row.secret_hash, expiresAtMs, graceUntilMs, principal });
    this.#touch(row.id, keyId);
    return principal;
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
    });
  }

  /** `last_used_at`, at most once a minute per key (here, and across replicas by the update's condition). */
  #touch(id: string, keyId: string): void {
    if (!this.#lastUsed.shouldWrite(keyId, this.#ctx.clock.now())) return;
    this.#records
      .touchLastUsed(id, LAST_USED_INTERVAL_SECONDS)
      .catch((error: unknown) => this.#ctx.logger.warn({ err: error }, 'could not record API key use'));
  }
}
