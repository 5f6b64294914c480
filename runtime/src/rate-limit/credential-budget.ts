import type { Redis } from 'ioredis';
import type { Principal } from '../auth/principal.js';
import type { RequestBudgets } from '../config.js';
import { RateLimitedError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import type { AuthKind } from '../tokens/access-tokens.js';
import { RateLimiter } from './limiter.js';

/** The window a budget is counted over, in seconds: budgets are per minute. */
export const BUDGET_WINDOW_SECONDS = 60;
/** The policy name in `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers). */
export const BUDGET_POLICY = 'default';
/** Header telling a gateway how many requests the credential has left in the current window. */
export const REMAINING_HEADER = 'X-Auth-RateLimit-Remaining';
/**
 * A replica reserves a budget's units in blocks of 1/LEASE_PARTS of it (at least one), so it counts (in Redis or
 * PostgreSQL, or in process) about LEASE_PARTS times per credential and window instead of once per request.
 */
export const LEASE_PARTS = 50;
/** Most credentials whose reserved units a replica remembers (the oldest is forgotten first). */
const MAX_LEASES = 100_000;

/** Which default of `RequestBudgets` applies to each way of authenticating. */
const DEFAULT_OF: Readonly<Record<AuthKind, keyof RequestBudgets>> = {
  api_key: 'apiKey',
  client_credentials: 'client',
  team_token: 'teamToken',
  admin_token: 'teamToken',
  session: 'user',
  entra_jwt: 'user',
};

/** A credential's budget after counting the current request. */
export interface BudgetState {
  /** Requests allowed per window. */
  readonly limit: number;
  /** Requests left in the current window. */
  readonly remaining: number;
  /** Seconds until the current window ends and the full budget is back. */
  readonly resetSeconds: number;
  readonly windowSeconds: number;
}

/** `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers), as header name/value pairs. */
export function budgetHeaders(state: BudgetState): [string, string, string, string] {
  return [
    'RateLimit-Policy',
    `"${BUDGET_POLICY}";q=${state.limit};w=${state.windowSeconds}`,
    'RateLimit',
    `"${BUDGET_POLICY}";r=${state.remaining};t=${state.resetSeconds}`,
  ];
}

/** The units of one credential's budget this replica reserved from the shared count in the current window. */
interface Lease {
  readonly limit: number;
  /** Reserved units not used yet. */
  left: number;
  /** The shared count of the window after this replica's last reservation (every replica's reservations). */
  readonly sharedConsumed: number;
  /** Epoch ms when the window ends (system clock, as the counter stores keep time). */
  readonly endsAt: number;
}

/**
 * A request budget per credential: every authenticated request counts against its credential's budget for the
 * current minute (an API key's own `rate_limit_per_minute`, else its kind's `RATE_LIMIT_*_PER_MINUTE`; 0 counts
 * nothing). Counts are shared by every replica through Redis when `REDIS_URL` is set, else through PostgreSQL when
 * that is the store, and kept in process on SQLite. A request refused over the budget is not counted, and costs no
 * count: the refusal is remembered until the window ends.
 *
 * A replica does not count once per request: it reserves units of the count in blocks (1/LEASE_PARTS of the budget,
 * at least one) and serves requests from its block in memory, so a credential costs about LEASE_PARTS counts per
 * window and replica whatever its traffic. Reservations never exceed the budget, so replicas together never let more
 * through than it; a block a replica reserved and does not use is lost to the others until the window ends (at most
 * 1/LEASE_PARTS of the budget per replica). In process (one replica) this is exact.
 */
export class CredentialBudget {
  readonly #limiter: RateLimiter;
  readonly #defaults: RequestBudgets;
  readonly #windowSeconds: number;
  readonly #leases = new Map<string, Lease>();
  readonly #reserving = new Map<string, Promise<void>>();

  /** `windowSeconds` other than a minute is for tests of the window's semantics. */
  constructor(ctx: AppContext, redis: Redis | null, windowSeconds = BUDGET_WINDOW_SECONDS) {
    this.#defaults = ctx.config.requestBudgets;
    this.#windowSeconds = windowSeconds;
    // Counts never exceed the highest budget by much; the limiter's own limit is never what refuses.
    this.#limiter = new RateLimiter(ctx, redis, {
      name: 'credential-budget',
      points: Number.MAX_SAFE_INTEGER,
      durationSeconds: windowSeconds,
      shareThroughStore: true,
    });
  }

  /** The requests per window `principal` may make; 0 is unlimited. */
  limitOf(principal: Principal): number {
    return principal.requestBudgetPerMinute ?? this.#defaults[DEFAULT_OF[principal.kind]];
  }

  /**
   * Counts one request of `principal`. Returns its budget's state (undefined when unlimited), or throws 429
   * `rate_limited` with `Retry-After`, `RateLimit-Policy` and `RateLimit` once the budget is used up.
   */
  async charge(principal: Principal): Promise<BudgetState | undefined> {
    const limit = this.limitOf(principal);
    if (limit === 0) return undefined;
    const key = `${DEFAULT_OF[principal.kind]}:${principal.subject}`;
    for (;;) {
      const lease = this.#leases.get(key);
      const now = Date.now();
      if (lease && lease.endsAt > now && lease.limit === limit) {
        const unreserved = Math.max(0, limit - lease.sharedConsumed);
        if (lease.left > 0) {
          lease.left -= 1;
          return this.#state(limit, unreserved + lease.left, lease.endsAt - now, false);
        }
        // Nothing left here, and every unit of the window is reserved: refused until it ends, without a write.
        if (unreserved === 0) return this.#state(limit, 0, lease.endsAt - now, true);
      }
      await this.#reserve(key, limit);
    }
  }

  /** Reserves the next block of `key`'s budget (callers arriving meanwhile wait for the same reservation). */
  #reserve(key: string, limit: number): Promise<void> {
    const pending = this.#reserving.get(key);
    if (pending) return pending;
    const block = Math.max(1, Math.floor(limit / LEASE_PARTS));
    const reservation = this.#limiter
      .count(key, block)
      .then(({ consumed, msBeforeReset }) => {
        // Re-inserted, so the credentials forgotten first are those that reserved least recently.
        if (!this.#leases.delete(key) && this.#leases.size >= MAX_LEASES) {
          const oldest = this.#leases.keys().next().value;
          if (oldest !== undefined) this.#leases.delete(oldest);
        }
        // The block may straddle the budget: only the units below it are this replica's.
        const granted = Math.max(0, Math.min(block, limit - (consumed - block)));
        // A count without an expiry (never written so by the stores) is held for a whole window, not retried at once.
        const msLeft = msBeforeReset >= 0 ? msBeforeReset : this.#windowSeconds * 1000;
        this.#leases.set(key, { limit, left: granted, sharedConsumed: consumed, endsAt: Date.now() + msLeft });
      })
      .finally(() => this.#reserving.delete(key));
    this.#reserving.set(key, reservation);
    return reservation;
  }

  /** The state to answer, or the 429 to throw when `over`. */
  #state(limit: number, remaining: number, msBeforeReset: number, over: boolean): BudgetState {
    const state: BudgetState = {
      limit,
      remaining: Math.max(0, remaining),
      resetSeconds: Math.max(1, Math.ceil(msBeforeReset / 1000)),
      windowSeconds: this.#windowSeconds,
    };
    if (over) throw overBudget(state);
    return state;
  }
}

function overBudget(state: BudgetState): RateLimitedError {
  const [policyName, policy] = budgetHeaders(state);
  return new RateLimitedError(
    state.resetSeconds,
    `The credential's request budget (${state.limit} per ${state.windowSeconds} seconds) is used up; retry later`,
    { policy: BUDGET_POLICY, headers: { [policyName]: policy }, reason: 'over_budget' },
  );
}
