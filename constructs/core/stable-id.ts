import { v5 as uuidv5 } from 'uuid';

/** Fixed namespace for every gatehouse-derived id. Changing it would change every app-role and scope id. */
export const GATEHOUSE_ID_NAMESPACE = '2f0c3f8a-5b9e-5d4c-9a61-6b0f1e7d2c34';

/** What an Entra permission id is for; part of the derivation so a role and a scope with one value never share an id. */
export type EntraPermissionKind = 'app-role' | 'delegated-scope';

/**
 * The Entra id of an app role or delegated scope: UUIDv5 of `<kind>/<value>` in a namespace that is itself the
 * UUIDv5 of the application name. Stable across synths and environments, so re-deploying never re-creates a role.
 */
export function stableEntraId(applicationName: string, kind: EntraPermissionKind, value: string): string {
  const applicationNamespace = uuidv5(applicationName, GATEHOUSE_ID_NAMESPACE);
  return uuidv5(`${kind}/${value}`, applicationNamespace);
}
