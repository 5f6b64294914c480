import { CatalogError } from './errors.js';

/** A permission a credential can carry. Scopes are product data access; management permissions run gatehouse itself. */
export interface PermissionDefinition {
  /** `resource:action`, lower case, e.g. `investigations:read`. Also the Entra app-role / scope value. */
  readonly value: string;
  /** One line; the Entra app registration shows it as display text. */
  readonly description: string;
}

export interface RoleDefinition {
  /** Lower-case identifier, e.g. `analyst`. Also the Entra app-role value users are assigned. */
  readonly value: string;
  readonly description: string;
  /** Permission values (scopes or management permissions) the role holds. */
  readonly permissions: readonly string[];
}

/** The shape a catalog is declared in (and serialized to, for the runtime's environment). */
export interface CatalogDefinition {
  readonly scopes: readonly PermissionDefinition[];
  readonly managementPermissions: readonly PermissionDefinition[];
  readonly roles: readonly RoleDefinition[];
  /** Role given to a user on first sign-in when the IdP's `roles` claim names none of ours. */
  readonly defaultRole: string;
}

/** A validated, immutable catalog with fast look-ups. Build one with `defineCatalog` or `extendCatalog`. */
export interface Catalog {
  readonly definition: CatalogDefinition;
  readonly scopes: readonly PermissionDefinition[];
  readonly managementPermissions: readonly PermissionDefinition[];
  readonly roles: readonly RoleDefinition[];
  readonly defaultRole: string;
  /** Scope values in declaration order. */
  readonly scopeValues: readonly string[];
  /** Role values in declaration order. */
  readonly roleValues: readonly string[];
  /** Every permission (scopes first, then management permissions) in declaration order. */
  readonly permissionValues: readonly string[];
  /** Internal index: role value to the set of its permissions. */
  readonly rolePermissions: ReadonlyMap<string, ReadonlySet<string>>;
}

const PERMISSION_PATTERN = /^[a-z][a-z0-9_-]{0,49}:[a-z][a-z0-9_-]{0,49}$/;
const ROLE_PATTERN = /^[a-z][a-z0-9_-]{0,59}$/;
const MAX_DESCRIPTION_LENGTH = 200;

function invalid(field: string, message: string): CatalogError {
  return new CatalogError('invalid_catalog', field, message);
}

function checkDescription(field: string, description: string): void {
  if (typeof description !== 'string' || description.trim() === '' || description.length > MAX_DESCRIPTION_LENGTH) {
    throw invalid(
      field,
      `${field}: description must be 1-${MAX_DESCRIPTION_LENGTH} characters, got ${JSON.stringify(description)}`,
    );
  }
  if (description.includes('\n')) {
    throw invalid(field, `${field}: description must be one line`);
  }
}

function checkPermissions(kind: string, list: readonly PermissionDefinition[], seen: Set<string>): void {
  list.forEach((entry, index) => {
    const field = `${kind}[${index}]`;
    if (typeof entry?.value !== 'string' || !PERMISSION_PATTERN.test(entry.value)) {
      throw invalid(
        field,
        `${field}: value must look like "resource:action" (lower case letters, digits, "_" or "-"), got ${JSON.stringify(entry?.value)}`,
      );
    }
    if (seen.has(entry.value)) {
      throw invalid(field, `${field}: duplicate permission value "${entry.value}"`);
    }
    seen.add(entry.value);
    checkDescription(`${field} (${entry.value})`, entry.description);
  });
}

/**
 * Validates a catalog definition and indexes it. Throws `CatalogError('invalid_catalog')` naming the first bad entry:
 * malformed or duplicate values, roles that reference unknown permissions, an unknown default role.
 */
export function defineCatalog(definition: CatalogDefinition): Catalog {
  const permissions = new Set<string>();
  checkPermissions('scopes', definition.scopes, permissions);
  checkPermissions('managementPermissions', definition.managementPermissions, permissions);

  const rolePermissions = new Map<string, ReadonlySet<string>>();
  definition.roles.forEach((role, index) => {
    const field = `roles[${index}]`;
    if (typeof role?.value !== 'string' || !ROLE_PATTERN.test(role.value)) {
      throw invalid(
        field,
        `${field}: value must be lower case letters, digits, "_" or "-", starting with a letter, got ${JSON.stringify(role?.value)}`,
      );
    }
    if (rolePermissions.has(role.value)) {
      throw invalid(field, `${field}: duplicate role value "${role.value}"`);
    }
    checkDescription(`${field} (${role.value})`, role.description);
    for (const permission of role.permissions) {
      if (!permissions.has(permission)) {
        throw new CatalogError(
          'unknown_permission',
          field,
          `${field} (${role.value}): unknown permission "${permission}"; allowed: ${[...permissions].join(', ')}`,
          [...permissions],
        );
      }
    }
    rolePermissions.set(role.value, new Set(role.permissions));
  });

  if (!rolePermissions.has(definition.defaultRole)) {
    throw new CatalogError(
      'unknown_role',
      'defaultRole',
      `defaultRole: unknown role "${definition.defaultRole}"; allowed: ${[...rolePermissions.keys()].join(', ')}`,
      [...rolePermissions.keys()],
    );
  }

  const frozen: CatalogDefinition = deepFreeze({
    scopes: definition.scopes.map((s) => ({ value: s.value, description: s.description })),
    managementPermissions: definition.managementPermissions.map((p) => ({
      value: p.value,
      description: p.description,
    })),
    roles: definition.roles.map((r) => ({
      value: r.value,
      description: r.description,
      permissions: [...r.permissions],
    })),
    defaultRole: definition.defaultRole,
  });

  return Object.freeze({
    definition: frozen,
    scopes: frozen.scopes,
    managementPermissions: frozen.managementPermissions,
    roles: frozen.roles,
    defaultRole: frozen.defaultRole,
    scopeValues: Object.freeze(frozen.scopes.map((s) => s.value)),
    roleValues: Object.freeze(frozen.roles.map((r) => r.value)),
    permissionValues: Object.freeze([...permissions]),
    rolePermissions,
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

/** What a project adds to a catalog without editing it. */
export interface CatalogExtension {
  /** New product scopes. */
  readonly scopes?: readonly PermissionDefinition[];
  /** New management permissions. */
  readonly managementPermissions?: readonly PermissionDefinition[];
  /** New roles. */
  readonly roles?: readonly RoleDefinition[];
  /** Extra permissions for existing roles, e.g. `{ analyst: ['tickets:read'] }`. */
  readonly grants?: Readonly<Record<string, readonly string[]>>;
  /** Replaces the default role for first sign-in. @default - the base catalog's default role */
  readonly defaultRole?: string;
}

/**
 * Returns a new catalog: the base plus the extension. The base is not modified.
 * `admin`-like roles are not widened automatically: grant new scopes explicitly, so every grant is a reviewed line.
 */
export function extendCatalog(base: Catalog, extension: CatalogExtension): Catalog {
  const grants = extension.grants ?? {};
  for (const role of Object.keys(grants)) {
    if (!base.rolePermissions.has(role) && !extension.roles?.some((r) => r.value === role)) {
      throw new CatalogError(
        'unknown_role',
        `grants.${role}`,
        `grants: unknown role "${role}"; allowed: ${base.roleValues.join(', ')}`,
        base.roleValues,
      );
    }
  }
  const roles = [...base.roles, ...(extension.roles ?? [])].map((role) => ({
    ...role,
    permissions: [...new Set([...role.permissions, ...(grants[role.value] ?? [])])],
  }));
  return defineCatalog({
    scopes: [...base.scopes, ...(extension.scopes ?? [])],
    managementPermissions: [...base.managementPermissions, ...(extension.managementPermissions ?? [])],
    roles,
    defaultRole: extension.defaultRole ?? base.defaultRole,
  });
}

/** True when `role` is in the catalog. */
export function isRole(catalog: Catalog, role: string): boolean {
  return catalog.rolePermissions.has(role);
}

/** True when `value` is one of the catalog's product scopes (not a management permission). */
export function isScope(catalog: Catalog, value: string): boolean {
  return catalog.scopeValues.includes(value);
}

/** Throws `CatalogError('unknown_role')` naming the role and the allowed ones. */
export function assertRole(catalog: Catalog, role: string, field = 'role'): void {
  if (!isRole(catalog, role)) {
    throw new CatalogError(
      'unknown_role',
      field,
      `${field}: unknown role ${JSON.stringify(role)}; allowed: ${catalog.roleValues.join(', ')}`,
      catalog.roleValues,
    );
  }
}

/** Does role R hold permission P? Unknown roles hold nothing. */
export function roleHasPermission(catalog: Catalog, role: string, permission: string): boolean {
  return catalog.rolePermissions.get(role)?.has(permission) ?? false;
}

/** Every permission the role holds, in catalog order. Throws on an unknown role. */
export function expandRole(catalog: Catalog, role: string): string[] {
  assertRole(catalog, role);
  const held = catalog.rolePermissions.get(role) as ReadonlySet<string>;
  return catalog.permissionValues.filter((p) => held.has(p));
}

/** The product scopes the role holds, in catalog order. Throws on an unknown role. */
export function scopesOfRole(catalog: Catalog, role: string): string[] {
  return expandRole(catalog, role).filter((p) => isScope(catalog, p));
}

export interface ValidateScopesOptions {
  /** Name of the input field, used in the error. @default "scopes" */
  readonly field?: string;
  /** Also accept management permissions (e.g. for admin tokens). @default false */
  readonly allowManagementPermissions?: boolean;
}

/**
 * Validates a scope list (array, or a space/comma separated string) and returns it de-duplicated in catalog order.
 * Throws `CatalogError('unknown_scope')` naming the first unknown scope and listing the allowed ones.
 */
export function validateScopes(
  catalog: Catalog,
  scopes: readonly string[] | string,
  options: ValidateScopesOptions = {},
): string[] {
  const field = options.field ?? 'scopes';
  const list = typeof scopes === 'string' ? scopes.split(/[\s,]+/).filter(Boolean) : scopes;
  const allowed = options.allowManagementPermissions ? catalog.permissionValues : catalog.scopeValues;
  for (const scope of list) {
    if (typeof scope !== 'string' || !allowed.includes(scope)) {
      throw new CatalogError(
        'unknown_scope',
        field,
        `${field}: unknown scope ${JSON.stringify(scope)}; allowed: ${allowed.join(', ')}`,
        allowed,
      );
    }
  }
  const wanted = new Set(list);
  return allowed.filter((s) => wanted.has(s));
}

/** Serializes a catalog for the runtime's `CATALOG_JSON` environment variable. */
export function catalogToJson(catalog: Catalog): string {
  return JSON.stringify(catalog.definition);
}

/** Parses and validates `catalogToJson` output. Throws `CatalogError('invalid_catalog')` on anything malformed. */
export function catalogFromJson(json: string): Catalog {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw invalid('CATALOG_JSON', 'CATALOG_JSON: not valid JSON');
  }
  const candidate = parsed as Partial<CatalogDefinition> | null;
  if (
    !candidate ||
    !Array.isArray(candidate.scopes) ||
    !Array.isArray(candidate.managementPermissions) ||
    !Array.isArray(candidate.roles) ||
    typeof candidate.defaultRole !== 'string'
  ) {
    throw invalid('CATALOG_JSON', 'CATALOG_JSON: expected {scopes[], managementPermissions[], roles[], defaultRole}');
  }
  return defineCatalog(candidate as CatalogDefinition);
}
