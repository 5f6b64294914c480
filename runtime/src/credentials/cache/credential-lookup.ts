import { LRUCache } from 'lru-cache';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { unavailable } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import { isStoreUnavailable } from '../../store/store-errors.js';
import { LastUsedThrottle } from '../last-used-throttle.js';

/**
 * Most credentials cached, most unknown ids remembered, most last-known credentials kept for an outage of the store:
 * each its own bound (the least recently used is dropped first), whatever ids an attacker cycles through.
 */
export const MAX_CACHED = 10_000;
export const MAX_UNKNOWN_IDS = 10_000;
const MAX_LAST_KNOWN = 10_000;
/** After the store failed to answer, how long lookups use the last-known credential without asking it again, in ms. */
const STORE_RETRY_MS = 1000;

/** What one store read found: the credential, or undefined for an id that does not exist (lru-cache holds no undefined). */
interface Read<V> {
  readonly value: V | undefined;
}

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
 * The store side of a hot-path credential check: a bounded TTL cache (lru-cache) in front of `load`, eviction for the
 * invalidation bus, and `last_used_at` written in the background at most once a minute per credential.
 *
 * Concurrent misses for one id share one store read (lru-cache's `fetch`). Without that, the moment a busy
 * credential's entry expired every request arriving before the refill issued its own query: at 10k tokens/s on
 * PostgreSQL that was dozens of queries every TTL, the pool opening connections to serve them, and a 25-33 ms latency
 * spike.
 */
export class CredentialLookup<V extends NonNullable<unknown>> {
  readonly #o: CredentialLookupOptions<V>;
  readonly #ttlMs: number;
  /**
   * Loaded credentials by id, and the store reads in flight. Deleting an id (eviction, clear) aborts its read: the
   * requests already waiting still get the row, but it is not cached and no later request joins it, since the row may
   * predate the revocation the eviction announced.
   */
  readonly #cached: LRUCache<string, Read<V>>;
  readonly #unknown: LRUCache<string, true> | undefined;
  /**
   * The last credential each id loaded as, kept through cache expiry and bus gaps (only a notice for the id drops
   * it), and served only while the store cannot be reached: degrade, don't fail. Not lru-cache's stale entries
   * (`allowStaleOnFetchRejection`): those go with a bus gap's `clear`, and with them nothing is kept while caching is
   * disabled, which is when the store matters most.
   */
  readonly #lastKnown = new LRUCache<string, V>({ max: MAX_LAST_KNOWN });
  /** Until when (clock ms) the store is taken as unreachable after it failed to answer. */
  #storeDownUntilMs = 0;
  readonly #lastUsed = new LastUsedThrottle();
  /** Bumped by `forgetUnknown`: a read that started before a creation must not remember the id as unknown. */
  #unknownGeneration = 0;

  constructor(options: CredentialLookupOptions<V>) {
    this.#o = options;
    this.#ttlMs = options.cacheTtlSeconds * 1000;
    // lru-cache serves an entry until its age exceeds `ttl`; here an entry is gone once its age reaches the TTL.
    // Time is the injected clock's, read on every check (`ttlResolution: 0`), so tests expire entries without waiting.
    const expiry = this.#ttlMs > 0 ? { ttl: this.#ttlMs - 1, ttlResolution: 0, perf: options.clock } : {};
    this.#cached = new LRUCache<string, Read<V>>({
      max: MAX_CACHED,
      ...expiry,
      ignoreFetchAbort: true,
      fetchMethod: (id, _stale, { signal }) => this.#read(id, signal),
    });
    this.#unknown = options.cacheUnknown ? new LRUCache<string, true>({ max: MAX_UNKNOWN_IDS, ...expiry }) : undefined;
  }

  async find(id: string): Promise<V | undefined> {
    const cached = this.#cached.get(id);
    if (cached !== undefined) return cached.value;
    if (this.#unknown?.get(id)) return undefined;
    if (this.#o.clock.now() < this.#storeDownUntilMs) {
      const lastKnown = this.#lastKnown.get(id);
      if (lastKnown !== undefined) return lastKnown;
    }
    try {
      return (await this.#cached.fetch(id))?.value;
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

  /** lru-cache's fetchMethod: one store read, shared by every request that misses `id` while it runs. */
  async #read(id: string, signal: AbortSignal): Promise<Read<V>> {
    const unknownGeneration = this.#unknownGeneration;
    const value = await this.#o.load(id);
    // Evicted or cleared while reading: hand the row to the waiting requests only (see #cached).
    if (signal.aborted) return { value };
    if (value === undefined) {
      this.#lastKnown.delete(id);
      if (unknownGeneration === this.#unknownGeneration && this.#cacheable()) this.#unknown?.set(id, true);
    } else {
      this.#lastKnown.set(id, value);
    }
    // lru-cache keeps what this returns unless the read's entry is gone: unknown ids are bounded in a cache of their
    // own, and nothing is cached while caching is off or disabled.
    if (value === undefined || !this.#cacheable()) this.#cached.delete(id);
    return { value };
  }

  #cacheable(): boolean {
    return this.#ttlMs > 0 && (this.#o.cacheEnabled?.() ?? true);
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
    this.#cached.delete(id);
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
    this.#cached.clear();
    this.#unknown?.clear();
  }
}

/** How a credential kind is read through a lookup: by its public id, and where a use is recorded. */
export type CredentialSource<V> = Pick<CredentialLookupOptions<V>, 'load' | 'writeLastUsed' | 'cacheUnknown'>;

/**
 * A credential lookup for an app, its cache tied to the invalidation bus: nothing is cached while the bus is down, and
 * `topic` notices (from this or another replica) evict one entry, a bus gap clears all. TTL:
 * `API_KEY_CACHE_TTL_SECONDS`, the one setting of every credential cache.
 */
export function busBoundLookup<V extends NonNullable<unknown>>(
  ctx: AppContext,
  bus: InvalidationBus,
  topic: string,
  source: CredentialSource<V>,
): CredentialLookup<V> {
  const lookup = new CredentialLookup<V>({
    clock: ctx.clock,
    logger: ctx.logger,
    cacheTtlSeconds: ctx.config.apiKeyCacheTtlSeconds,
    cacheEnabled: () => bus.healthy,
    ...source,
  });
  bus.subscribe(topic, { onKey: (id) => lookup.evict(id), onReset: () => lookup.clear() });
  return lookup;
}
