/**
 * A small in-process cache for credential lookups on hot paths: entries live at most `ttlMs`, and at most
 * `maxEntries` are kept (the oldest inserted is dropped first), so an attacker cycling through ids cannot grow it
 * without bound. Time comes from the caller's clock so tests can expire entries without waiting.
 *
 * The cache never outlives a revocation on its own: whoever revokes calls `delete` here and publishes the id on the
 * invalidation bus so every other replica deletes it too. The TTL only bounds what a lost notification can cost.
 */
export class BoundedTtlCache<V> {
  readonly #entries = new Map<string, { value: V; expiresAtMs: number }>();
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #now: () => number;
  readonly #enabled: () => boolean;

  /**
   * @param ttlMs lifetime of an entry in milliseconds; 0 turns the cache off (every `get` misses).
   * @param maxEntries upper bound on entries (default 10000).
   * @param enabled whether new entries may be added now; pass the invalidation bus's health so nothing is cached
   *   while a revocation notice could be missed (default: always).
   */
  constructor(options: { ttlMs: number; maxEntries?: number; now: () => number; enabled?: () => boolean }) {
    this.#ttlMs = options.ttlMs;
    this.#maxEntries = options.maxEntries ?? 10_000;
    this.#now = options.now;
    this.#enabled = options.enabled ?? (() => true);
  }

  get(key: string): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: V): void {
    if (this.#ttlMs <= 0 || !this.#enabled()) return;
    this.#entries.delete(key);
    if (this.#entries.size >= this.#maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(key, { value, expiresAtMs: this.#now() + this.#ttlMs });
  }

  delete(key: string): void {
    this.#entries.delete(key);
  }

  clear(): void {
    this.#entries.clear();
  }

  get size(): number {
    return this.#entries.size;
  }
}
