import { expandRole, isRole } from '../../../catalog/index.js';
import type { Principal } from '../auth/principal.js';
import { type AuditContext, recordChange } from '../credentials/audit-context.js';
import { assertHeld } from '../credentials/grantable-scopes.js';
import { invalidRequest } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { userView } from '../signin/session-tokens.js';
import type { UserProfiles } from './user-profiles.js';
import type { UserRecords } from './user-records.js';

/** A user as the users API shows it. */
export type UserView = ReturnType<typeof userView>;

export interface UserServiceDeps {
  readonly records: UserRecords;
  /** Told of every change, so that each replica's cached profile of the user is dropped. */
  readonly profiles: UserProfiles;
}

/**
 * The users API: list and search the users of the caller's org, change a user's role. Callers act within their own
 * org only; a role change is audited and reaches every replica's profile cache.
 */
export class UserService {
  readonly #ctx: AppContext;
  readonly #o: UserServiceDeps;

  constructor(ctx: AppContext, deps: UserServiceDeps) {
    this.#ctx = ctx;
    this.#o = deps;
  }

  /** The caller's org's users, oldest first; `search` (trimmed; blank means none) filters by e-mail or name. */
  async list(
    caller: Principal,
    query: { readonly search?: string | undefined; readonly limit: number },
  ): Promise<UserView[]> {
    const rows = await this.#o.records.listInOrg(caller.orgId, { search: query.search?.trim(), limit: query.limit });
    return rows.map(userView);
  }

  /** Gives `userId` of the caller's org the catalog role `role`; takes effect at the user's next refresh. */
  async changeRole(caller: Principal, userId: string, role: string, who: AuditContext): Promise<UserView> {
    const { catalog } = this.#ctx.config;
    if (!isRole(catalog, role)) {
      throw invalidRequest(
        `body.role: unknown role ${JSON.stringify(role)}; allowed: ${catalog.roleValues.join(', ')}`,
      );
    }
    // users:manage alone must not make admins: the caller has to hold everything the new role holds (as for keys,
    // clients and tokens), else a least-privilege integration credential could promote any account to admin.
    assertHeld(expandRole(catalog, role), caller.permissions);
    const change = await this.#o.records.changeRole(catalog, { orgId: caller.orgId, userId, role });
    if (change.changed) {
      await recordChange(this.#ctx.audit, who, {
        kind: 'user.role_changed',
        orgId: caller.orgId,
        target: userId,
        credentialId: caller.credentialId,
        details: { from: change.before.role, to: change.after.role },
      });
      await this.#o.profiles.changed(userId);
    }
    return userView(change.after);
  }
}
