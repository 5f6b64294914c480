import { type Catalog, catalogFromJson, defaultCatalog } from '../../catalog/index.js';
import {
  displayPath,
  indexStack,
  parseReference,
  type StackEntry,
  type SynthesizedStack,
} from './synthesized-stack.js';

export type PrincipalKind =
  | 'application'
  | 'managed_identity'
  | 'user_or_group'
  | 'deployer'
  | 'external_workload'
  | 'registry_token'
  | 'unknown';
export type PermissionKind =
  | 'entra_app_role'
  | 'azure_role'
  | 'postgresql_admin'
  | 'postgresql_role'
  | 'federated_credential'
  | 'registry_token_action';

/** What a federated identity credential grants: its subject signs in as the application, without a secret. */
export const FEDERATED_SIGN_IN = 'sign in as the application (federated credential)';

/** One grant: who holds what on which resource, and which construct declared it. */
export interface Grant {
  /** Stable name of the principal: its construct path, `deployer`, or `object:<id>` for a literal object id. */
  readonly principal: string;
  readonly principalKind: PrincipalKind;
  /** App role / scope value (`investigations:read`, `admin`) or Azure role name (`Key Vault Secrets User`). */
  readonly permission: string;
  readonly permissionKind: PermissionKind;
  /** What the grant is on: a construct path, or the literal scope when it is not in the stack. */
  readonly resource: string;
  readonly resourceType: string;
  /** Construct path of the assignment itself. */
  readonly declaredBy: string;
  /**
   * What the principal is in Azure, independent of construct paths: `<type>:<name>` of its deployed name (for a
   * service principal, its application's), `deployer`, or the literal it was given. Absent in manifests written before
   * it existed; the diff then falls back to the path.
   */
  readonly principalIdentity?: string;
  /** What the resource is in Azure: `<type>:<name>` of its deployed name, or the literal scope. */
  readonly resourceIdentity?: string;
  /**
   * The ABAC condition an Azure role assignment carries (e.g. which roles a role administrator may assign). Absent for
   * an unconditional grant.
   */
  readonly condition?: string;
}

export interface PermissionManifest {
  readonly environment: string;
  readonly grants: readonly Grant[];
  /** The catalog's role -> permissions map, so a role widening shows in review too. */
  readonly roles: Readonly<Record<string, readonly string[]>>;
}

const PRINCIPAL_KINDS: Record<string, PrincipalKind> = {
  azuread_service_principal: 'application',
  azuread_application: 'application',
  azurerm_user_assigned_identity: 'managed_identity',
  azuread_group: 'user_or_group',
  azuread_user: 'user_or_group',
  azurerm_client_config: 'deployer',
  azuread_client_config: 'deployer',
};

/** First-party applications whose service principals grants are made on, by client id. */
const WELL_KNOWN_APPLICATIONS: Readonly<Record<string, string>> = {
  '00000003-0000-0000-c000-000000000000': 'Microsoft Graph',
};

interface Named {
  readonly name: string;
  readonly kind: PrincipalKind;
  readonly type: string;
  readonly identity: string;
}

/** `${type.logical_id.attr}` anywhere in a string: logical ids follow construct paths, so identities drop them. */
const EMBEDDED_REFERENCE = /\$\{(data\.)?([a-z0-9_]+)\.[A-Za-z0-9_-]+\.([a-z0-9_]+)\}/g;

/**
 * What an entry is in Azure, whatever its construct path: `<type>:<deployed name>` (a service principal is its
 * application's), with references inside the name reduced to their type and attribute. Falls back to the path for
 * an entry with no name, which then reads as a revocation plus a grant when it moves.
 */
function identityOf(entry: StackEntry, entries: Map<string, StackEntry>): string {
  if (entry.type === 'azuread_service_principal') {
    const application = entries.get(parseReference(entry.block.client_id)?.address ?? '');
    if (application) return `service principal of ${identityOf(application, entries)}`;
    // A service principal looked up by a literal client id (Microsoft Graph): the same in every tenant.
    const clientId = entry.block.client_id;
    if (typeof clientId === 'string' && !clientId.includes('${')) {
      return `${entry.type}:${WELL_KNOWN_APPLICATIONS[clientId] ?? `client_id ${clientId}`}`;
    }
  }
  const name = entry.block.display_name ?? entry.block.name;
  if (typeof name !== 'string') return displayPath(entry.path);
  return `${entry.type}:${name.replace(EMBEDDED_REFERENCE, (_all, data, type, attribute) => `\${${data ?? ''}${type}.${attribute}}`)}`;
}

function resolvePrincipal(value: unknown, entries: Map<string, StackEntry>): Named {
  const reference = parseReference(value);
  if (!reference) {
    const name = typeof value === 'string' ? `object:${value}` : 'unknown';
    return { name, kind: 'user_or_group', type: 'literal', identity: name };
  }
  const entry = entries.get(reference.address);
  if (!entry) return { name: reference.address, kind: 'unknown', type: 'unknown', identity: reference.address };
  const kind = PRINCIPAL_KINDS[entry.type] ?? 'unknown';
  if (kind === 'deployer') return { name: 'deployer', kind, type: entry.type, identity: 'deployer' };
  return { name: displayPath(entry.path), kind, type: entry.type, identity: identityOf(entry, entries) };
}

function resolveResource(
  value: unknown,
  entries: Map<string, StackEntry>,
): { name: string; type: string; identity: string } {
  const reference = parseReference(value);
  const entry = reference && entries.get(reference.address);
  if (entry) return { name: displayPath(entry.path), type: entry.type, identity: identityOf(entry, entries) };
  return { name: String(value), type: 'external', identity: String(value) };
}

/** Finds the app-role value behind `app_role_id`: a literal UUID declared on an application, or `app_role_ids["x"]`. */
function resolveAppRole(value: unknown, entries: Map<string, StackEntry>): string {
  const reference = parseReference(value);
  if (reference?.key) return reference.key;
  for (const entry of entries.values()) {
    if (entry.type !== 'azuread_application') continue;
    const roles = (entry.block.app_role ?? []) as Array<{ id?: string; value?: string }>;
    const found = roles.find((role) => role.id === value);
    if (found?.value) return found.value;
  }
  return `app-role:${String(value)}`;
}

/** Reads every grant out of one synthesized stack. */
export function extractGrants(stack: SynthesizedStack): Grant[] {
  const entries = indexStack(stack);
  const grants: Grant[] = [];
  for (const entry of entries.values()) {
    const { block } = entry;
    const declaredBy = displayPath(entry.path);
    if (entry.type === 'azuread_app_role_assignment') {
      const principal = resolvePrincipal(block.principal_object_id, entries);
      const resource = resolveResource(block.resource_object_id, entries);
      grants.push({
        principal: principal.name,
        principalKind: principal.kind,
        permission: resolveAppRole(block.app_role_id, entries),
        permissionKind: 'entra_app_role',
        resource: resource.name,
        resourceType: resource.type,
        declaredBy,
        principalIdentity: principal.identity,
        resourceIdentity: resource.identity,
      });
    } else if (entry.type === 'azurerm_role_assignment') {
      const principal = resolvePrincipal(block.principal_id, entries);
      const resource = resolveResource(block.scope, entries);
      grants.push({
        principal: principal.name,
        principalKind: principal.kind,
        permission: String(block.role_definition_name ?? block.role_definition_id),
        permissionKind: 'azure_role',
        resource: resource.name,
        resourceType: resource.type,
        declaredBy,
        principalIdentity: principal.identity,
        resourceIdentity: resource.identity,
        ...(typeof block.condition === 'string' ? { condition: block.condition } : {}),
      });
    } else if (entry.type === 'azuread_application_federated_identity_credential') {
      // A literal subject is an outside workload (e.g. a CI pipeline's OIDC subject) trusted through its issuer.
      const principal = parseReference(block.subject)
        ? resolvePrincipal(block.subject, entries)
        : {
            name: `${String(block.issuer)} ${String(block.subject)}`,
            kind: 'external_workload' as const,
            identity: `${String(block.issuer)} ${String(block.subject)}`,
          };
      const resource = resolveResource(block.application_id, entries);
      grants.push({
        principal: principal.name,
        principalKind: principal.kind,
        permission: FEDERATED_SIGN_IN,
        permissionKind: 'federated_credential',
        resource: resource.name,
        resourceType: resource.type,
        declaredBy,
        principalIdentity: principal.identity,
        resourceIdentity: resource.identity,
      });
    } else if (entry.type === 'azurerm_container_registry_token') {
      const scopeMap = entries.get(parseReference(block.scope_map_id)?.address ?? '');
      const registry = resolveResource(
        scopeMap?.block.container_registry_name ?? block.container_registry_name,
        entries,
      );
      for (const action of (scopeMap?.block.actions ?? []) as string[]) {
        grants.push({
          principal: declaredBy,
          principalKind: 'registry_token',
          permission: action,
          permissionKind: 'registry_token_action',
          resource: registry.name,
          resourceType: registry.type,
          declaredBy,
          principalIdentity: identityOf(entry, entries),
          resourceIdentity: registry.identity,
        });
      }
    } else if (entry.type === 'azurerm_container_app_job') {
      grants.push(...databaseRoleGrants(entry, entries, declaredBy));
    } else if (entry.type === 'azurerm_postgresql_flexible_server_active_directory_administrator') {
      const principal = resolvePrincipal(block.object_id, entries);
      const resource = resolveResource(block.server_name, entries);
      grants.push({
        principal: principal.name,
        principalKind: principal.kind,
        permission: 'PostgreSQL Entra administrator',
        permissionKind: 'postgresql_admin',
        resource: resource.name,
        resourceType: 'azurerm_postgresql_flexible_server',
        declaredBy,
        principalIdentity: principal.identity,
        resourceIdentity: resource.identity,
      });
    }
  }
  return grants.sort(compareGrants);
}

/**
 * What a database role job (`RuntimeDatabaseRoles`) gives: the identity named by its `RUNTIME_OBJECT_ID` signs in to
 * the server behind `PGHOST` as a role of its own, with CONNECT and TEMPORARY on `PGDATABASE` and USAGE and CREATE on
 * its `public` schema. Other jobs grant nothing.
 */
function databaseRoleGrants(entry: StackEntry, entries: Map<string, StackEntry>, declaredBy: string): Grant[] {
  const template = entry.block.template as
    | { container?: Array<{ env?: Array<{ name?: string; value?: unknown }> }> }
    | undefined;
  const grants: Grant[] = [];
  for (const container of template?.container ?? []) {
    const env = new Map((container.env ?? []).map((variable) => [variable.name, variable.value]));
    if (!env.has('RUNTIME_OBJECT_ID') || !env.has('PGHOST')) continue;
    const principal = resolvePrincipal(env.get('RUNTIME_OBJECT_ID'), entries);
    const server = resolveResource(env.get('PGHOST'), entries);
    grants.push({
      principal: principal.name,
      principalKind: principal.kind,
      permission: `PostgreSQL role: CONNECT, TEMPORARY on database ${String(env.get('PGDATABASE'))}; USAGE, CREATE on schema public`,
      permissionKind: 'postgresql_role',
      resource: server.name,
      resourceType: 'azurerm_postgresql_flexible_server',
      declaredBy,
      principalIdentity: principal.identity,
      resourceIdentity: server.identity,
    });
  }
  return grants;
}

export function grantKey(grant: Grant): string {
  const key = `${grant.principal}\u0000${grant.resource}\u0000${grant.permissionKind}\u0000${grant.permission}`;
  return grant.condition === undefined ? key : `${key}\u0000${grant.condition}`;
}

function compareGrants(a: Grant, b: Grant): number {
  const left = grantKey(a);
  const right = grantKey(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

/**
 * The catalog the stack's runtime enforces: the `CATALOG_JSON` its Container App is given (what is deployed), else the
 * default catalog (a stack without a runtime). Two runtimes with different catalogs in one stack are refused.
 */
export function deployedCatalog(stack: SynthesizedStack): Catalog {
  const found = new Set<string>();
  for (const app of Object.values(stack.resource?.azurerm_container_app ?? {})) {
    const template = app.template as
      | { container?: Array<{ env?: Array<{ name?: string; value?: unknown }> }> }
      | undefined;
    for (const container of template?.container ?? []) {
      for (const env of container.env ?? []) {
        if (env.name === 'CATALOG_JSON' && typeof env.value === 'string') found.add(env.value);
      }
    }
  }
  if (found.size > 1)
    throw new Error('the stack runs runtimes with different catalogs; the manifest shows one per stack');
  const [json] = found;
  return json === undefined ? defaultCatalog : catalogFromJson(json);
}

/** Builds an environment's manifest: its grants and the role map of the catalog its runtime enforces. */
export function buildManifest(
  environment: string,
  stack: SynthesizedStack,
  catalog: Catalog = deployedCatalog(stack),
): PermissionManifest {
  const roles: Record<string, string[]> = {};
  for (const role of catalog.roles) roles[role.value] = [...role.permissions].sort();
  return { environment, grants: extractGrants(stack), roles };
}

/** The committed form: stable key order, two-space indent, trailing newline. */
export function serializeManifest(manifest: PermissionManifest): string {
  return `${JSON.stringify(manifest, null, 2)}\n`;
}
