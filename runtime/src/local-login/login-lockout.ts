import { type Clock, isoIn, isoNow } from '../clock.js';
import type { Store } from '../store/store.js';
import { normalizeUsername } from './local-users.js';

export interface LoginLockoutOptions {
  readonly store: Store;
  readonly clock: Clock;
  /** Failures in a row that lock a username (`LOCAL_LOGIN_MAX_FAILURES`). */
  readonly maxFailures: number;
  /** Length of the lock, and the most time between two failures that still count as "in a row", in seconds. */
  readonly lockoutSeconds: number;
}

/**
 * Per-username lockout of local logins, in the store (every replica sees it). Failures count per username whether
 * or not an account has it, so a lock says nothing about which usernames exist. A failure more than `lockoutSeconds`
 * after the previous one starts the count again (a sliding window); the failure that reaches `maxFailures` locks the
 * username for `lockoutSeconds`. Attempts while locked are refused before any password check and not counted, so the
 * lock ends on time; a success, or `gatehouse local-user reset`, clears the count.
 */
export class LoginLockout {
  readonly #o: LoginLockoutOptions;

  constructor(options: LoginLockoutOptions) {
    this.#o = options;
  }

  /** Seconds until `username` may try again, or undefined when it is not locked. */
  async lockedFor(username: string): Promise<number | undefined> {
    const row = await this.#o.store.db
      .selectFrom('local_login_failures')
      .select('locked_until')
      .where('username', '=', normalizeUsername(username))
      .executeTakeFirst();
    return this.#secondsLeft(row?.locked_until ?? null);
  }

  /** Counts a failure; returns the seconds of the lock it started, or undefined when the username is not locked. */
  async recordFailure(username: string): Promise<number | undefined> {
    const { store, clock, maxFailures, lockoutSeconds } = this.#o;
    const now = isoNow(clock);
    const windowStart = isoIn(clock, -lockoutSeconds);
    const lockedUntil = isoIn(clock, lockoutSeconds);
    // Rows whose last failure left the window no longer count toward anything.
    await store.db.deleteFrom('local_login_failures').where('last_failed_at', '<=', windowStart).execute();
    const row = await store.db
      .insertInto('local_login_failures')
      .values({
        username: normalizeUsername(username),
        failures: 1,
        last_failed_at: now,
        locked_until: maxFailures <= 1 ? lockedUntil : null,
      })
      .onConflict((oc) =>
        oc.column('username').doUpdateSet((eb) => {
          const failures = eb
            .case()
            .when('local_login_failures.last_failed_at', '>', windowStart)
            .then(eb('local_login_failures.failures', '+', 1))
            .else(1)
            .end();
          return {
            failures,
            last_failed_at: now,
            locked_until: eb.case().when(failures, '>=', maxFailures).then(lockedUntil).else(null).end(),
          };
        }),
      )
      .returning('locked_until')
      .executeTakeFirstOrThrow();
    return this.#secondsLeft(row.locked_until);
  }

  /** Forgets `username`'s failures (a successful login, a password reset). */
  async clear(username: string): Promise<void> {
    await this.#o.store.db
      .deleteFrom('local_login_failures')
      .where('username', '=', normalizeUsername(username))
      .execute();
  }

  #secondsLeft(lockedUntil: string | null): number | undefined {
    if (lockedUntil === null) return undefined;
    const left = Date.parse(lockedUntil) - this.#o.clock.now();
    return left > 0 ? Math.ceil(left / 1000) : undefined;
  }
}
