import type { Selectable } from 'kysely';
import type { Catalog } from '../../../catalog/index.js';
import { type Clock, isoNow } from '../clock.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { forbidden } from '../errors.js';
import { newId } from '../ids.js';
import type { UsersTable } from '../store/schema.js';
import { isUniqueViolation, type Store } from '../store/store.js';
import type { IdTokenIdentity } from './relying-party.js';
import { roleFromRolesClaim } from './role-mapping.js';

export type UserRow = Selectable<UsersTable>;

export interface SignedInUser {
  readonly user: UserRow;
  /** True when this sign-in created the user (first sign-in). */
  readonly created: boolean;
}

/** The users browser sign-in provisions: the one place that reads and writes them for `/auth/callback`. */
export class SignInUsers {
  readonly #deps: { readonly store: Store; readonly clock: Clock; readonly catalog: Catalog };

  constructor(deps: { readonly store: Store; readonly clock: Clock; readonly catalog: Catalog }) {
    this.#deps = deps;
  }

  /**
   * Finds or provisions the user an ID token names (unique by issuer and subject) and records the sign-in. A new user
   * joins the default org with the role mapped from the `roles` claim (else the catalog's default role); a returning
   * user keeps the role an admin gave them, while e-mail and name follow the IdP. Disabled users are refused.
   */
  signIn(identity: IdTokenIdentity): Promise<SignedInUser> {
    return signInUser(this.#deps, identity);
  }
}

async function signInUser(
  deps: { readonly store: Store; readonly clock: Clock; readonly catalog: Catalog },
  identity: IdTokenIdentity,
): Promise<SignedInUser> {
  const { store, clock, catalog } = deps;
  const now = isoNow(clock);
  const existing = await findUser(store, identity);
  if (!existing) {
    const user: UserRow = {
      id: newId('usr'),
      issuer: identity.issuer,
      subject: identity.subject,
      email: identity.email,
      name: identity.name,
      role: roleFromRolesClaim(catalog, identity.roles),
      org_id: DEFAULT_ORG_ID,
      team_id: null,
      created_at: now,
      updated_at: now,
      last_sign_in_at: now,
      disabled_at: null,
    };
    try {
      await store.db.insertInto('users').values(user).execute();
      return { user, created: true };
    } catch (error) {
      // Two first sign-ins of the same person at once: the other one created the row; continue as a returning user.
      if (!isUniqueViolation(error)) throw error;
    }
  }
  const user = existing ?? (await findUser(store, identity));
  if (!user) throw new Error('User vanished between insert and select');
  if (user.disabled_at !== null) throw forbidden('This account is disabled', 'user_disabled');
  // An IdP that stops sending a claim does not erase what we know.
  const email = identity.email ?? user.email;
  const name = identity.name ?? user.name;
  await store.db
    .updateTable('users')
    .set({ email, name, last_sign_in_at: now, updated_at: now })
    .where('id', '=', user.id)
    .execute();
  return { user: { ...user, email, name, last_sign_in_at: now, updated_at: now }, created: false };
}

function findUser(store: Store, identity: IdTokenIdentity): Promise<UserRow | undefined> {
  return store.db
    .selectFrom('users')
    .selectAll()
    .where('issuer', '=', identity.issuer)
    .where('subject', '=', identity.subject)
    .executeTakeFirst();
}
