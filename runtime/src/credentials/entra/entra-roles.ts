import { type Catalog, expandRole, isRole, isScope } from '../../../../catalog/index.js';

export interface EntraGrant {
  /** The catalog role the token acts as: the first catalog role (in catalog order) among its `roles`; else null. */
  readonly role: string | null;
  /** Everything the token holds: the permissions of each catalog role it names plus each product scope it names. */
  readonly permissions: string[];
}

/**
 * Maps an Entra token's `roles` claim through the catalog, the same way the Entra app registration was built from it
 * (`constructs/entra-api-application`): user app roles carry a catalog role value, application app roles a product
 * scope value. Values the catalog does not know are ignored; management permissions are never taken from the IdP.
 * A token naming nothing the catalog knows gets no permissions (the resolver then refuses it).
 */
export function mapEntraRoles(catalog: Catalog, rolesClaim: unknown): EntraGrant {
  const values = Array.isArray(rolesClaim) ? rolesClaim.filter((v): v is string => typeof v === 'string') : [];
  const named = new Set(values);
  const role = catalog.roleValues.find((r) => named.has(r)) ?? null;
  const held = new Set<string>();
  for (const value of named) {
    if (isRole(catalog, value)) for (const permission of expandRole(catalog, value)) held.add(permission);
    else if (isScope(catalog, value)) held.add(value);
  }
  return { role, permissions: catalog.permissionValues.filter((p) => held.has(p)) };
}
