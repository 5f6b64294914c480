import { type Catalog, CatalogError, validateScopes } from '../../../catalog/index.js';
import { forbidden, invalidRequest } from '../errors.js';

export interface GrantableScopesOptions {
  /** Name of the request field, for error messages. */
  readonly field: string;
  /** Also accept management permissions (e.g. `clients:manage`), not only product scopes. */
  readonly allowManagementPermissions: boolean;
}

/**
 * Validates scopes a caller wants to put on a new credential: each must exist in the catalog (else `invalid_request`
 * naming the field and the allowed values), and the caller must hold each one itself (else `forbidden` naming the
 * first missing one), so no one can mint a credential stronger than their own. Returns them de-duplicated in catalog
 * order.
 */
export function grantableScopes(
  catalog: Catalog,
  requested: readonly string[],
  callerPermissions: readonly string[],
  options: GrantableScopesOptions,
): string[] {
  let scopes: string[];
  try {
    scopes = validateScopes(catalog, requested, {
      field: options.field,
      allowManagementPermissions: options.allowManagementPermissions,
    });
  } catch (error) {
    if (error instanceof CatalogError) throw invalidRequest(error.message, 'unknown_scope');
    throw error;
  }
  assertHeld(scopes, callerPermissions);
  return scopes;
}

/** Throws `forbidden` naming the first permission in `wanted` the caller does not hold. */
export function assertHeld(wanted: readonly string[], callerPermissions: readonly string[]): void {
  const held = new Set(callerPermissions);
  const missing = wanted.find((scope) => !held.has(scope));
  if (missing !== undefined) {
    throw forbidden(`You cannot grant "${missing}": you do not hold it yourself`, 'scope_not_held');
  }
}
