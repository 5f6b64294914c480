import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import { rateLimited } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { redisFor } from './redis-connection.js';

export interface RateLimitOptions {
  /** Distinguishes limiters sharing one Redis, e.g. `auth-failures`, `oauth2-token`. */
  readonly name: string;
  /** Events allowed per window. */
  readonly points: number;
  /** Window length in seconds. */
  readonly durationSeconds: number;
  /** Once over the limit, refuse for this many seconds. Default: until the window ends. */
  readonly blockSeconds?: number;
}

/** Outcome of counting one event: allowed, or refused with the seconds until the key may try again. */
export type RateLimitOutcome =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterSeconds: number };

/**
 * A counter per key (an IP, a client id) over a fixed window, shared by every replica through Redis when `REDIS_URL`
 * is set, in process otherwise. If Redis fails, the in-process insurance limiter answers, so an outage never turns
 * into "no limit" nor into an error for the caller.
 */
export class RateLimiter {
  readonly #limiter: RateLimiterMemory | RateLimiterRedis;

  constructor(ctx: AppContext, options: RateLimitOptions) {
    const common = {
      keyPrefix: `gatehouse:rl:${options.name}`,
      points: options.points,
      duration: options.durationSeconds,
      blockDuration: options.blockSeconds ?? 0,
    };
    const redis = redisFor(ctx);
    this.#limiter = redis
      ? new RateLimiterRedis({
          ...common,
          storeClient: redis,
          rejectIfRedisNotReady: true,
          insuranceLimiter: new RateLimiterMemory(common),
        })
      : new RateLimiterMemory(common);
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
    if (!outcome.allowed) throw rateLimited(outcome.retryAfterSeconds);
  }

  /** Forgets `key`'s count (e.g. after a successful sign-in, if a caller wants that policy). */
  async reset(key: string): Promise<void> {
    await this.#limiter.delete(key);
  }
}
