import type { Catalog } from '../../../catalog/index.js';
import type { AuthKind } from '../tokens/access-tokens.js';

/**
 * Who is calling, as every credential resolver reports it. Handlers decide with `permissions`; nothing downstream
 * looks at how the caller authenticated except to report it (`/auth/me`, `X-Auth-Kind`).
 */
export interface Principal {
  /** How the caller authenticated (`auth_kind`). */
  readonly kind: AuthKind;
  /** Stable identifier of the caller: a user's subject, `api_key:<key_id>`, a client id, `team_token:<tokid>`. */
  readonly subject: string;
  /** Catalog role the credential acts as, or null for scope-only credentials. */
  readonly role: string | null;
  /** Every catalog permission the caller holds (scopes and management permissions), in catalog order. */
  readonly permissions: readonly string[];
  /** The scopes the credential was granted (its OAuth `scope`), catalog values only, in catalog order. */
  readonly scopes: readonly string[];
  readonly orgId: string;
  readonly teamId: string | null;
  readonly email?: string | null;
  readonly name?: string | null;
  /** Public id of the credential (key_id, jti, client_id, token_id); used in audit rows, never a secret. */
  readonly credentialId: string;
  /** The credential's own request budget per minute (an API key's; 0: unlimited), or null: its kind's default. */
  readonly requestBudgetPerMinute: number | null;
}

export interface PrincipalInput {
  readonly kind: AuthKind;
  readonly subject: string;
  readonly role?: string | null;
  /** Granted scopes or permissions; values unknown to the catalog are dropped. */
  readonly scopes: readonly string[];
  /**
   * Extra permissions beyond `scopes`. When omitted and `role` is a catalog role, the role's permissions are added
   * (a credential that acts as a role holds what the role holds). Pass `[]` to hold exactly `scopes`.
   */
  readonly extraPermissions?: readonly string[];
  readonly orgId: string;
  readonly teamId?: string | null;
  readonly email?: string | null;
  readonly name?: string | null;
  readonly credentialId: string;
  readonly requestBudgetPerMinute?: number | null;
}

/** Builds a `Principal` with permissions normalized against the catalog (unknown values dropped, catalog order). */
export function makePrincipal(catalog: Catalog, input: PrincipalInput): Principal {
  const role = input.role ?? null;
  const granted = new Set(input.scopes);
  const extra = input.extraPermissions ?? (role ? [...(catalog.rolePermissions.get(role) ?? [])] : []);
  const held = new Set([...granted, ...extra]);
  return {
    kind: input.kind,
    subject: input.subject,
    role,
    permissions: catalog.permissionValues.filter((p) => held.has(p)),
    scopes: catalog.permissionValues.filter((p) => granted.has(p)),
    orgId: input.orgId,
    teamId: input.teamId ?? null,
    email: input.email ?? null,
    name: input.name ?? null,
    credentialId: input.credentialId,
    requestBudgetPerMinute: input.requestBudgetPerMinute ?? null,
  };
}

export const hasPermission = (principal: Principal, permission: string): boolean =>
  principal.permissions.includes(permission);

/** The first of `required` the principal does not hold, if any. */
export const firstMissing = (principal: Principal, required: readonly string[]): string | undefined =>
  required.find((p) => !principal.permissions.includes(p));

/** `/auth/me`'s `can_write`: the caller holds any `*:write` or `*:manage` permission. */
export const canWrite = (principal: Principal): boolean =>
  principal.permissions.some((p) => p.endsWith(':write') || p.endsWith(':manage'));
