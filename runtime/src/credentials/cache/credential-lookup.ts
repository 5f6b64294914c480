import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { unavailable } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { invalidationBusFor } from '../../invalidation/bus.js';
import type { SecretBytes } from '../../secret-bytes.js';
import type { Store } from '../../store/store.js';
import { isStoreUnavailable } from '../../store/store-errors.js';
import { LastUsedThrottle } from '../last-used-throttle.js';
import { BoundedTtlCache } from './bounded-ttl-cache.js';

/** Most last-known credentials kept for an outage of the store (the oldest is dropped first). */
const MAX_LAST_KNOWN = 10_000;
/** After the store failed to answer, how long lookups use the last-known credential without asking it again, in ms. */
const STORE_RETRY_MS = 1000;

/** Most unknown ids remembered at once (the oldest is dropped first): bounded whatever ids an attacker cycles through. */
const MAX_UNKNOWN_IDS = 10_000;

export interface CredentialLookupOptions<V> {
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a loaded credential is reused without a store query, in seconds; 0 = never. */
  readonly cacheTtlSeconds: number;
  /** Whether entries may be cached now (the invalidation bus is delivering). Default: always. */
  readonly cacheEnabled?: () => boolean;
  /** Loads a credential by its public id; undefined when there is none. */
  readonly load: (id: string) => Promise<V | undefined>;
  /**
   * Also remember ids that do not exist (a bounded cache of their own, same TTL), so a repeated unknown id costs no
   * store query, as a known one does not. Whoever creates a credential must then have `forgetUnknown` called for its
   * id on every replica (a bus notice).
   * Default false: unknown ids are read from the store every time.
   */
  readonly cacheUnknown?: boolean;
  /** Writes `last_used_at` of the row `rowId`. */
  readonly writeLastUsed: (rowId: string, at: string) => Promise<unknown>;
}

/**
 * The store side of a hot-path credential check: a bounded TTL cache in front of `load`, eviction for the
 * invalidation bus, and `last_used_at` written in the background at most once a minute per credential.
 *
 * Concurrent misses for one id share one store read. Without that, the moment a busy credential's entry expired every
 * request arriving before the refill issued its own query: at 10k tokens/s on PostgreSQL that was dozens of queries
 * every TTL, the pool opening connections to serve them, and a 25-33 ms latency spike.
 */
export class CredentialLookup<V> {
  readonly #o: CredentialLookupOptions<V>;
  readonly #cache: BoundedTtlCache<V>;
  readonly #unknown: BoundedTtlCache<true> | undefined;
  /**
   * The last credential each id loaded as, kept through cache expiry and bus gaps (only a notice for the id drops
   * it), and served only while the store cannot be reached: degrade, don't fail.
   */
  readonly #lastKnown = new Map<string, V>();
  /** Until when (clock ms) the store is taken as unreachable after it failed to answer. */
  #storeDownUntilMs = 0;
  readonly #lastUsed = new LastUsedThrottle();
  /**
   * Bumped by every eviction and clear. A load that started before one must not fill the cache: its row may predate
   * the revocation the eviction announced, and caching it would let the credential work until the TTL ends.
   */
  #generation = 0;
  /** Bumped by `forgetUnknown`: a read that started before a creation must not remember the id as unknown. */
  #unknownGeneration = 0;
  /** Store reads in flight by id, each with the generation it started in. */
  readonly #loading = new Map<string, { readonly generation: number; readonly promise: Promise<V | undefined> }>();

  constructor(options: CredentialLookupOptions<V>) {
    this.#o = options;
    this.#cache = new BoundedTtlCache({
      ttlMs: options.cacheTtlSeconds * 1000,
      now: () => options.clock.now(),
      enabled: options.cacheEnabled,
    });
    this.#unknown = options.cacheUnknown
      ? new BoundedTtlCache({
          ttlMs: options.cacheTtlSeconds * 1000,
          now: () => options.clock.now(),
          enabled: options.cacheEnabled,
          maxEntries: MAX_UNKNOWN_IDS,
        })
      : undefined;
  }

  async find(id: string): Promise<V | undefined> {
    const cached = this.#cache.get(id);
    if (cached !== undefined) return cached;
    if (this.#unknown?.get(id)) return undefined;
    const lastKnown = this.#lastKnown.get(id);
    if (lastKnown !== undefined && this.#o.clock.now() < this.#storeDownUntilMs) return lastKnown;
    const inFlight = this.#loading.get(id);
    // A read that started before an eviction may return the row the eviction announced as revoked: never join it.
    const loading =
      inFlight !== undefined && inFlight.generation === this.#generation ? inFlight.promise : this.#load(id);
    try {
      return await loading;
    } catch (error) {
      if (!isStoreUnavailable(error)) throw error;
      this.#storeDownUntilMs = this.#o.clock.now() + STORE_RETRY_MS;
      // The id's last-known credential, unless a notice dropped it meanwhile; else 503 (a first-time check needs the store).
      const held = this.#lastKnown.get(id);
      if (held === undefined) throw unavailable(undefined, error);
      this.#o.logger.debug({ err: error }, 'store unreachable: answering from the last-known credential');
      return held;
    }
  }

  #load(id: string): Promise<V | undefined> {
    const generation = this.#generation;
    const unknownGeneration = this.#unknownGeneration;
    const promise = this.#o
      .load(id)
      .then((loaded) => {
        if (generation === this.#generation) {
          if (loaded !== undefined) {
            this.#cache.set(id, loaded);
            this.#remember(id, loaded);
          } else {
            if (unknownGeneration === this.#unknownGeneration) this.#unknown?.set(id, true);
            this.#lastKnown.delete(id);
          }
        }
        return loaded;
      })
      .finally(() => {
        if (this.#loading.get(id)?.promise === promise) this.#loading.delete(id);
      });
    this.#loading.set(id, { generation, promise });
    return promise;
  }

  #remember(id: string, value: V): void {
    this.#lastKnown.delete(id);
    if (this.#lastKnown.size >= MAX_LAST_KNOWN) {
      const oldest = this.#lastKnown.keys().next();
      if (!oldest.done) this.#lastKnown.delete(oldest.value);
    }
    this.#lastKnown.set(id, value);
  }

  /** Records a successful use of row `rowId` (throttled, in the background; a failed write is only logged). */
  touch(rowId: string, nowMs: number): void {
    if (!this.#lastUsed.shouldWrite(rowId, nowMs)) return;
    this.#o
      .writeLastUsed(rowId, new Date(nowMs).toISOString())
      .catch((error: unknown) => this.#o.logger.warn({ err: error }, 'could not record a credential use'));
  }

  /** The credential `id` changed (revoked, rotated, created): forget everything about it, last-known value included. */
  evict(id: string): void {
    this.#generation += 1;
    this.#cache.delete(id);
    this.#unknown?.delete(id);
    this.#lastKnown.delete(id);
  }

  /** A credential with this id was just created: it is no longer unknown (the cached credentials are left alone). */
  forgetUnknown(id: string): void {
    this.#unknownGeneration += 1;
    this.#unknown?.delete(id);
  }

  /**
   * Notices may have been missed (bus gap): nothing cached is served any more while the store answers. The last-known
   * values stay, for an outage of the store only.
   */
  clear(): void {
    this.#generation += 1;
    this.#cache.clear();
    this.#unknown?.clear();
  }
}

/** What a hot-path credential checker (API clients, team tokens) is built from. */
export interface CredentialCheckerOptions {
  readonly store: Store;
  readonly pepper: SecretBytes;
  readonly clock: Clock;
  readonly logger: Logger;
  /** How long a loaded credential is reused without a store query, in seconds; 0 = never. */
  readonly cacheTtlSeconds: number;
  /** Whether entries may be cached now (the invalidation bus is delivering). Default: always. */
  readonly cacheEnabled?: () => boolean;
}

/**
 * Checker options for an app, its cache tied to the invalidation bus: nothing is cached while the bus is down, and
 * `topic` notices (from this or another replica) evict one entry, a bus gap clears all. TTL:
 * `API_KEY_CACHE_TTL_SECONDS`, the one setting of every credential cache.
 */
export function busBoundChecker<C extends { evict(id: string): void; clear(): void }>(
  ctx: AppContext,
  topic: string,
  build: (options: CredentialCheckerOptions) => C,
): C {
  const bus = invalidationBusFor(ctx);
  const checker = build({
    store: ctx.store,
    pepper: ctx.config.apiKeyPepper,
    clock: ctx.clock,
    logger: ctx.logger,
    cacheTtlSeconds: ctx.config.apiKeyCacheTtlSeconds,
    cacheEnabled: () => bus.healthy,
  });
  bus.subscribe(topic, { onKey: (id) => checker.evict(id), onReset: () => checker.clear() });
  return checker;
}
