import type { Principal } from '../auth/principal.js';
import type { RequestBudgets } from '../config.js';
import { perApp } from '../credentials/per-app.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import type { AuthKind } from '../tokens/access-tokens.js';
import { RateLimiter } from './limiter.js';

/** The window a budget is counted over, in seconds: budgets are per minute. */
export const BUDGET_WINDOW_SECONDS = 60;
/** The policy name in `RateLimit-Policy` and `RateLimit` (draft-ietf-httpapi-ratelimit-headers). */
export const BUDGET_POLICY = 'default';
/** Header telling a gateway how many requests the credential has left in the current window. */
export const REMAINING_HEADER = 'X-Auth-RateLimit-Remaining';

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

/**
 * A request budget per credential: every authenticated request counts against its credential's budget for the
 * current minute (an API key's own `rate_limit_per_minute`, else its kind's `RATE_LIMIT_*_PER_MINUTE`; 0 counts
 * nothing). Counts are shared by every replica through Redis when `REDIS_URL` is set, else through PostgreSQL when
 * that is the store, and kept in process on SQLite: one counter call per request, no other I/O.
 */
export class CredentialBudget {
  readonly #limiter: RateLimiter;
  readonly #defaults: RequestBudgets;
  readonly #windowSeconds: number;

  /** `windowSeconds` other than a minute is for tests of the window's semantics. */
  constructor(ctx: AppContext, windowSeconds = BUDGET_WINDOW_SECONDS) {
    this.#defaults = ctx.config.requestBudgets;
    this.#windowSeconds = windowSeconds;
    // Counts never exceed the highest budget by much; the limiter's own limit is never what refuses.
    this.#limiter = new RateLimiter(ctx, {
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
    const { consumed, msBeforeReset } = await this.#limiter.count(`${DEFAULT_OF[principal.kind]}:${principal.subject}`);
    const state: BudgetState = {
      limit,
      remaining: Math.max(0, limit - consumed),
      resetSeconds: Math.max(1, Math.ceil(msBeforeReset / 1000)),
      windowSeconds: this.#windowSeconds,
    };
    if (consumed > limit) throw overBudget(state);
    return state;
  }
}

function overBudget(state: BudgetState): AppError {
  const [policyName, policy, limitName, limit] = budgetHeaders(state);
  return new AppError(
    'rate_limited',
    `The credential's request budget (${state.limit} per ${state.windowSeconds} seconds) is used up; retry later`,
    {
      headers: { 'Retry-After': String(state.resetSeconds), [policyName]: policy, [limitName]: limit },
      reason: 'over_budget',
    },
  );
}

/** The app's one credential budget (charged by the authenticator for every authenticated request). */
export const credentialBudgetFor = perApp((ctx) => new CredentialBudget(ctx));
