import type { Redis } from 'ioredis';
import { rateLimited } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { failureCountingKey } from './client-address.js';
import { RateLimiter } from './limiter.js';

/** The limit's name in the `RateLimit` header of a blocked address's 429. */
const FAILURES_POLICY = 'auth-failures';
const BLOCKED = 'Too many failed authentication attempts; retry later';
/** Upper bound on remembered blocked addresses per process (oldest forgotten first). */
const MAX_BLOCKED_ADDRESSES = 50_000;

/**
 * Brute-force protection for every secret the runtime checks (API keys, client secrets, team tokens): failures are
 * counted per client address (an IPv6 address per /64 prefix, see `failureCountingKey`; shared through Redis when
 * configured); an address over the limit gets `429
 * rate_limited` with `Retry-After` for `AUTH_FAILURE_BLOCK_SECONDS`, even with a good credential. The success path does no I/O:
 * blocks are remembered in process when a failure crosses the limit, so a replica learns of a block on that address's
 * first failure there.
 */
export class FailedAuthGuard {
  readonly #limiter: RateLimiter;
  readonly #blockedUntil = new Map<string, number>();

  /** Limits from config: `AUTH_FAILURE_LIMIT` per `AUTH_FAILURE_WINDOW_SECONDS`, block `AUTH_FAILURE_BLOCK_SECONDS`. */
  constructor(ctx: AppContext, redis: Redis | null) {
    this.#limiter = new RateLimiter(ctx, redis, {
      name: 'auth-failures',
      points: ctx.config.authFailureLimit,
      durationSeconds: ctx.config.authFailureWindowSeconds,
      blockSeconds: ctx.config.authFailureBlockSeconds,
    });
  }

  /** Throws `rate_limited` while `address` is blocked. Synchronous, no I/O: call it before checking a credential. */
  assertNotBlocked(address: string): void {
    if (this.#blockedUntil.size === 0) return;
    const until = this.#blockedUntil.get(failureCountingKey(address));
    if (until === undefined) return;
    const left = until - Date.now();
    if (left > 0) throw rateLimited(left / 1000, BLOCKED, { policy: FAILURES_POLICY });
    this.#blockedUntil.delete(failureCountingKey(address));
  }

  /**
   * Counts a failed check from `address`. Returns the `rate_limited` error to answer instead of the failure when the
   * address is now over the limit, else undefined.
   */
  async recordFailure(address: string) {
    const counted = failureCountingKey(address);
    const outcome = await this.#limiter.hit(counted);
    if (outcome.allowed) return undefined;
    if (this.#blockedUntil.size >= MAX_BLOCKED_ADDRESSES) {
      const oldest = this.#blockedUntil.keys().next().value;
      if (oldest !== undefined) this.#blockedUntil.delete(oldest);
    }
    this.#blockedUntil.set(counted, Date.now() + outcome.retryAfterSeconds * 1000);
    return rateLimited(outcome.retryAfterSeconds, BLOCKED, { policy: FAILURES_POLICY });
  }
}
