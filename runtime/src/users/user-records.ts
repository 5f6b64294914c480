import { sql } from 'kysely';
import type { Catalog } from '../../../catalog/index.js';
import type { Clock } from '../clock.js';
import type { UserRow } from '../signin/sign-in-user.js';
import type { Store } from '../store/store.js';
import { changeUserRole, type RoleChange } from './role-change.js';

/** A LIKE pattern for "contains `text`", case-insensitive: `%`, `_` and `\` in user input match literally. */
const containsPattern = (text: string): string => `%${text.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** The store queries of users for the users API and sessions (one place, both dialects). */
export class UserRecords {
  readonly #store: Store;
  readonly #clock: Clock;

  constructor(store: Store, clock: Clock) {
    this.#store = store;
    this.#clock = clock;
  }

  findById(id: string): Promise<UserRow | undefined> {
    return this.#store.db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  /** The users of `orgId`, oldest first; with `search`, those whose e-mail or name contains it (case-insensitive). */
  listInOrg(
    orgId: string,
    options: { readonly search?: string | undefined; readonly limit: number },
  ): Promise<UserRow[]> {
    let select = this.#store.db.selectFrom('users').selectAll().where('org_id', '=', orgId);
    if (options.search) {
      const pattern = containsPattern(options.search);
      select = select.where(({ or }) =>
        or([
          sql<boolean>`lower(email) like ${pattern} escape '\\'`,
          sql<boolean>`lower(name) like ${pattern} escape '\\'`,
        ]),
      );
    }
    return select.orderBy('created_at').orderBy('id').limit(options.limit).execute();
  }

  /** Sets a user's role within `orgId`, keeping the org's last admin (`changeUserRole`). */
  changeRole(catalog: Catalog, input: { orgId: string; userId: string; role: string }): Promise<RoleChange> {
    return changeUserRole({ store: this.#store, clock: this.#clock, catalog }, input);
  }
}
