import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterPostgres, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { storeCounterClient } from './store-counter-client.js';

export interface RateLimitOptions {
  /** Distinguishes limiters sharing one Redis, e.g. `auth-failures`, `oauth2-token`. */
  readonly name: string;
  /** Events allowed per window. */
  readonly points: number;
  /** Window length in seconds. */
  readonly durationSeconds: number;
  /** Once over the limit, refuse for this many seconds. Default: until the window ends. */
  readonly blockSeconds?: number;
  /**
   * Without Redis, share the counts through the store when it is PostgreSQL (table `rate_limit_counters`) instead of
   * counting in process. Default false.
   */
  readonly shareThroughStore?: boolean;
}

/** How many events a key counted in the current window, and how long until that window ends. */
export interface WindowCount {
  readonly consumed: number;
  readonly msBeforeReset: number;
}

/** Outcome of counting one event: allowed, or refused with the seconds until the key may try again. */
export type RateLimitOutcome =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A counter per key (an IP, a client id) over a fixed window, shared by every replica through Redis when `REDIS_URL`
 * is set, through PostgreSQL when asked to (`shareThroughStore`) and that is the store, in process otherwise. If the
 * shared store fails, the in-process insurance limiter answers, so an outage never turns into "no limit" nor into an
 * error for the caller.
 */
export class RateLimiter {
  readonly #limiter: RateLimiterMemory | RateLimiterRedis | RateLimiterPostgres;
  readonly #name: string;

  /** `redis`: the app's shared connection (`connectRedis`), or null to count in process or in the store. */
  constructor(ctx: AppContext, redis: Redis | null, options: RateLimitOptions) {
    this.#name = options.name;
    const common = {
      keyPrefix: `gatehouse:rl:${options.name}`,
      points: options.points,
      duration: options.durationSeconds,
      blockDuration: options.blockSeconds ?? 0,
    };
    if (redis) {
      this.#limiter = new RateLimiterRedis({
        ...common,
        storeClient: redis,
        rejectIfRedisNotReady: true,
        insuranceLimiter: new RateLimiterMemory(common),
      });
    } else if (options.shareThroughStore && ctx.store.dialect === 'postgres') {
      this.#limiter = new RateLimiterPostgres({
        ...common,
        storeClient: storeCounterClient(ctx.store, { logger: ctx.logger }),
        storeType: 'pool',
        // Created by the store's migrations (unlogged), never by the limiter at run time.
        tableName: 'rate_limit_counters',
        tableCreated: true,
        insuranceLimiter: new RateLimiterMemory(common),
      });
    } else {
      this.#limiter = new RateLimiterMemory(common);
    }
  }

  /** Counts `events` (default one) for `key` and reports the window's count, over the limit or not. */
  async count(key: string, events = 1): Promise<WindowCount> {
    let result: RateLimiterRes;
    try {
      result = await this.#limiter.consume(key, events);
    } catch (refused) {
      if (!(refused instanceof RateLimiterRes)) throw refused;
      result = refused;
    }
    return { consumed: result.consumedPoints, msBeforeReset: result.msBeforeNext };
  }

  /** Counts one event for `key`. */
  async hit(key: string): Promise<RateLimitOutcome> {
    try {
      await this.#limiter.consume(key);
      return { allowed: true };
    } catch (result) {
      if (result instanceof RateLimiterRes) {
        return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(result.msBeforeNext / 1000)) };
      }
      throw result;
    }
  }

  /** Counts one event and throws `rate_limited` (429 + Retry-After) when the key is over its limit. */
  async consume(key: string): Promise<void> {
    const outcome = await this.hit(key);
    if (!outcome.allowed) throw rateLimited(outcome.retryAfterSeconds, undefined, { policy: this.#name });
  }

  /** Forgets `key`'s count (e.g. after a successful sign-in, if a caller wants that policy). */
  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }
}
