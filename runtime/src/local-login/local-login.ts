import type { AppContext } from '../http/context.js';
import type { UserRow } from '../signin/sign-in-user.js';
import { LocalUsers } from './local-users.js';
import { LoginLockout } from './login-lockout.js';
import { PasswordHasher } from './password-hash.js';

/** Why a login was refused (audit and metrics only: every one of them answers the caller the same 401). */
export type LoginFailureReason = 'unknown_user' | 'bad_password' | 'disabled';

export type LoginCheck =
  | { readonly ok: true; readonly user: UserRow }
  | { readonly ok: false; readonly reason: LoginFailureReason; readonly user: UserRow | undefined };

/**
 * Checks a username and password against the local accounts. Every check runs one argon2id verification: against the
 * account's hash, or, when the username names no account, against a dummy hash made once at start-up, so an unknown
 * username costs what a wrong password costs. A disabled account is refused only after its password verified, and
 * then the same way as a wrong password.
 */
export class LocalLogin {
  readonly hasher = new PasswordHasher();
  readonly users: LocalUsers;
  readonly lockout: LoginLockout;
  readonly #dummyHash: Promise<string>;

  constructor(ctx: AppContext) {
    this.users = new LocalUsers(ctx.store, ctx.clock);
    const { maxFailures, lockoutSeconds } = ctx.config.localLogin;
    this.lockout = new LoginLockout({ store: ctx.store, clock: ctx.clock, maxFailures, lockoutSeconds });
    this.#dummyHash = this.hasher.dummyHash();
    // Awaited on use; a failure here surfaces there, never as an unhandled rejection.
    this.#dummyHash.catch(() => undefined);
  }

  async check(username: string, password: string): Promise<LoginCheck> {
    const account = await this.users.find(username);
    const matches = await this.hasher.verify(account?.passwordHash ?? (await this.#dummyHash), password);
    if (!account) return { ok: false, reason: 'unknown_user', user: undefined };
    if (!matches) return { ok: false, reason: 'bad_password', user: account.user };
    if (account.user.disabled_at !== null) return { ok: false, reason: 'disabled', user: account.user };
    return { ok: true, user: account.user };
  }
}
