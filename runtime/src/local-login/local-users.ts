import { type Clock, isoNow } from '../clock.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { newId } from '../ids.js';
import type { UserRow } from '../signin/sign-in-user.js';
import { isUniqueViolation, type Store } from '../store/store.js';

/** `users.issuer` of local accounts: not a URL, so no OIDC issuer can ever name the same users. */
export const LOCAL_ISSUER = 'urn:gatehouse:local';

/** A username (an e-mail address) as accounts and failure counters key it: trimmed and lower-cased. */
export const normalizeUsername = (value: string): string => value.trim().toLowerCase();

/** A local account: its user row and its password hash. */
export interface LocalAccount {
  readonly user: UserRow;
  readonly passwordHash: string;
}

/** A local account as `gatehouse local-user list` shows it (never the hash). */
export interface LocalAccountSummary {
  readonly id: string;
  readonly email: string;
  readonly role: string;
  readonly disabled: boolean;
  readonly created_at: string;
  readonly password_changed_at: string;
  readonly last_sign_in_at: string | null;
  /** Until when logins are refused after repeated failures (ISO 8601), or null. */
  readonly locked_until: string | null;
}

/** Thrown by `create` when the e-mail already has a local account. */
export class LocalUserExistsError extends Error {
  constructor(email: string) {
    super(`a local user with e-mail ${email} already exists`);
    this.name = 'LocalUserExistsError';
  }
}

/**
 * The records of local accounts: a `users` row (issuer `LOCAL_ISSUER`, subject the normalized e-mail, org `default`)
 * with its password hash in `local_credentials`. The only writer is the CLI; the login route only reads.
 */
export class LocalUsers {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  /** The account `username` names (normalized), or undefined. */
  async find(username: string): Promise<LocalAccount | undefined> {
    const row = await this.#store.db
      .selectFrom('users as u')
      .innerJoin('local_credentials as c', 'c.user_id', 'u.id')
      .selectAll('u')
      .select('c.password_hash')
      .where('u.issuer', '=', LOCAL_ISSUER)
      .where('u.subject', '=', normalizeUsername(username))
      .executeTakeFirst();
    if (!row) return undefined;
    const { password_hash, ...user } = row;
    return { user, passwordHash: password_hash };
  }

  /** Creates the user row and its password in one transaction. Throws `LocalUserExistsError` for a taken e-mail. */
  async create(input: { email: string; role: string; passwordHash: string }): Promise<UserRow> {
    const now = isoNow(this.#clock);
    const email = normalizeUsername(input.email);
    const user: UserRow = {
      id: newId('usr'),
      issuer: LOCAL_ISSUER,
      subject: email,
      email,
      name: null,
      role: input.role,
      org_id: DEFAULT_ORG_ID,
      team_id: null,
      created_at: now,
      updated_at: now,
      last_sign_in_at: null,
      disabled_at: null,
    };
    try {
      await this.#store.transaction(async (trx) => {
        await trx.insertInto('users').values(user).execute();
        await trx
          .insertInto('local_credentials')
          .values({ user_id: user.id, password_hash: input.passwordHash, password_changed_at: now, created_at: now })
          .execute();
      });
    } catch (error) {
      if (isUniqueViolation(error)) throw new LocalUserExistsError(email);
      throw error;
    }
    return user;
  }

  async list(): Promise<LocalAccountSummary[]> {
    const rows = await this.#store.db
      .selectFrom('users as u')
      .innerJoin('local_credentials as c', 'c.user_id', 'u.id')
      .leftJoin('local_login_failures as f', 'f.username', 'u.subject')
      .select([
        'u.id',
        'u.subject',
        'u.role',
        'u.disabled_at',
        'u.created_at',
        'u.last_sign_in_at',
        'c.password_changed_at',
        'f.locked_until',
      ])
      .where('u.issuer', '=', LOCAL_ISSUER)
      .orderBy('u.subject')
      .execute();
    const now = isoNow(this.#clock);
    return rows.map((row) => ({
      id: row.id,
      email: row.subject,
      role: row.role,
      disabled: row.disabled_at !== null,
      created_at: row.created_at,
      password_changed_at: row.password_changed_at,
      last_sign_in_at: row.last_sign_in_at,
      locked_until: row.locked_until !== null && row.locked_until > now ? row.locked_until : null,
    }));
  }

  /** Marks the account disabled; returns its user row, or undefined when there is no such local account. */
  async disable(email: string): Promise<UserRow | undefined> {
    const account = await this.find(email);
    if (!account) return undefined;
    const now = isoNow(this.#clock);
    await this.#store.db
      .updateTable('users')
      .set({ disabled_at: account.user.disabled_at ?? now, updated_at: now })
      .where('id', '=', account.user.id)
      .execute();
    return { ...account.user, disabled_at: account.user.disabled_at ?? now, updated_at: now };
  }

  /** Replaces the password hash; returns the user row, or undefined when there is no such local account. */
  async setPassword(email: string, passwordHash: string): Promise<UserRow | undefined> {
    const account = await this.find(email);
    if (!account) return undefined;
    const now = isoNow(this.#clock);
    await this.#store.db
      .updateTable('local_credentials')
      .set({ password_hash: passwordHash, password_changed_at: now })
      .where('user_id', '=', account.user.id)
      .execute();
    return account.user;
  }

  /** Records a successful login on the user row. */
  async recordSignIn(userId: string): Promise<void> {
    const now = isoNow(this.#clock);
    await this.#store.db
      .updateTable('users')
      .set({ last_sign_in_at: now, updated_at: now })
      .where('id', '=', userId)
      .execute();
  }
}
