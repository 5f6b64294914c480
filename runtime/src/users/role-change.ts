import { type Catalog, roleHasPermission } from '../../../catalog/index.js';
import { type Clock, isoNow } from '../clock.js';
import { conflict, notFound } from '../errors.js';
import type { UserRow } from '../signin/sign-in-user.js';
import type { Store } from '../store/store.js';

/** The permission that makes a user an admin of their org for this rule: whoever can still manage users. */
export const USER_ADMIN_PERMISSION = 'users:manage';

export interface RoleChange {
  readonly before: UserRow;
  readonly after: UserRow;
  readonly changed: boolean;
}

/**
 * Sets a user's role within `orgId` (a user of another org is "not found"). Refuses (409 `conflict`) to take
 * `users:manage` away from the org's last active user who holds it, so an org can never lock itself out. Changes of
 * one org are serialized (PostgreSQL: the org row is locked; SQLite: one writer), so two admins demoting each other
 * at once cannot both succeed.
 */
export async function changeUserRole(
  deps: { store: Store; clock: Clock; catalog: Catalog },
  input: { orgId: string; userId: string; role: string },
): Promise<RoleChange> {
  const { store, clock, catalog } = deps;
  const adminRoles = catalog.roleValues.filter((role) => roleHasPermission(catalog, role, USER_ADMIN_PERMISSION));
  return store.transaction(async (trx) => {
    const lock = trx.selectFrom('orgs').select('id').where('id', '=', input.orgId);
    await (store.dialect === 'postgres' ? lock.forUpdate() : lock).execute();
    const before = await trx
      .selectFrom('users')
      .selectAll()
      .where('id', '=', input.userId)
      .where('org_id', '=', input.orgId)
      .executeTakeFirst();
    if (!before) throw notFound(`No user with id "${input.userId}" in this organization`);
    if (before.role === input.role) return { before, after: before, changed: false };

    const losesAdmin =
      before.disabled_at === null && adminRoles.includes(before.role) && !adminRoles.includes(input.role);
    if (losesAdmin) {
      const { count } = await trx
        .selectFrom('users')
        .select((eb) => eb.fn.countAll<string | number>().as('count'))
        .where('org_id', '=', input.orgId)
        .where('role', 'in', adminRoles)
        .where('disabled_at', 'is', null)
        .executeTakeFirstOrThrow();
      if (Number(count) <= 1) {
        throw conflict(
          `Cannot change the role of the last admin of organization "${input.orgId}"; make another user admin first`,
        );
      }
    }
    const updatedAt = isoNow(clock);
    await trx
      .updateTable('users')
      .set({ role: input.role, updated_at: updatedAt })
      .where('id', '=', before.id)
      .execute();
    return { before, after: { ...before, role: input.role, updated_at: updatedAt }, changed: true };
  });
}
