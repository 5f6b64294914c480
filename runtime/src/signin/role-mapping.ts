import type { Catalog } from '../../../catalog/index.js';

/**
 * The role a user gets on first sign-in: the first catalog role (in the catalog's declaration order, which lists the
 * most privileged first) named in the IdP's `roles` claim; the catalog's `defaultRole` when the claim names none.
 * Values the catalog does not know are ignored, so an IdP cannot invent a role.
 */
export function roleFromRolesClaim(catalog: Catalog, claimed: readonly string[]): string {
  const named = new Set(claimed);
  return catalog.roleValues.find((role) => named.has(role)) ?? catalog.defaultRole;
}
