import { FEDERATED_SIGN_IN, type Grant, grantKey, type PermissionManifest } from './manifest.js';

export type ChangeKind = 'granted' | 'revoked' | 'widened' | 'narrowed' | 'moved';

export interface PermissionChange {
  readonly kind: ChangeKind;
  readonly environment: string;
  readonly principal: string;
  readonly resource: string;
  /** What is held after the change (for `revoked`, what was held before). */
  readonly permission: string;
  /** For widened/narrowed Azure roles: what was held before. */
  readonly previous?: string;
  /** For `moved`: the principal and resource paths before the move (the same grant, declared elsewhere). */
  readonly movedFrom?: { readonly principal: string; readonly resource: string };
  readonly declaredBy: string;
  /** Why this change needs a second reviewer, when it does. */
  readonly escalation?: string;
}

/**
 * Privilege rank of Azure built-in roles, so a role swap on the same principal and resource reads as widened or
 * narrowed. Roles not listed rank in the middle.
 */
const AZURE_ROLE_RANK: Readonly<Record<string, number>> = {
  Reader: 0,
  'Key Vault Reader': 0,
  AcrPull: 1,
  'Key Vault Secrets User': 1,
  'Key Vault Crypto User': 1,
  'Key Vault Certificate User': 1,
  AcrPush: 2,
  'Key Vault Secrets Officer': 2,
  'Key Vault Crypto Officer': 2,
  'Key Vault Certificates Officer': 2,
  'Key Vault Administrator': 3,
  Contributor: 3,
  'Role Based Access Control Administrator': 4,
  'User Access Administrator': 4,
  Owner: 5,
};
const DEFAULT_RANK = 2;

/** Azure roles that can write secrets, state, images or networks, or grant access. */
const WRITE_AZURE_ROLES = new Set([
  'AcrPush',
  'Network Contributor',
  'Role Based Access Control Administrator',
  'Storage Blob Data Contributor',
  'Key Vault Secrets Officer',
  'Key Vault Crypto Officer',
  'Key Vault Certificates Officer',
  'Key Vault Administrator',
  'Contributor',
  'User Access Administrator',
  'Owner',
]);

/**
 * Microsoft Graph application permissions that let their holder grant itself more: any app role (Graph's included),
 * any directory role, or any application's credentials.
 */
const GRAPH_GRANTING_PERMISSIONS: Readonly<Record<string, string>> = {
  'AppRoleAssignment.ReadWrite.All': 'can grant any app role, Microsoft Graph permissions included, to any principal',
  'RoleManagement.ReadWrite.Directory': 'can assign any directory role',
  'Application.ReadWrite.All': 'can add credentials to any application and act as it',
};

/** A Microsoft Graph permission value that writes: `<Resource>.ReadWrite[.<qualifier>]`. */
const GRAPH_WRITE_PERMISSION = /^[A-Z][A-Za-z]*\.ReadWrite(\.[A-Za-z]+)*$/;

/** Why holding `permission` is an escalation, or undefined when it is not. */
export function escalationOf(permission: string): string | undefined {
  const granting = GRAPH_GRANTING_PERMISSIONS[permission];
  if (granting) return `gains Microsoft Graph ${permission} (${granting})`;
  if (GRAPH_WRITE_PERMISSION.test(permission)) return `gains Microsoft Graph write permission ${permission}`;
  if (permission === 'admin') return 'gains the admin role';
  if (permission === FEDERATED_SIGN_IN) return 'gains a secretless sign-in as an application';
  if (permission.endsWith('/content/write')) return `gains registry push (${permission})`;
  if (permission.endsWith(':manage')) return `gains management permission ${permission}`;
  if (permission.endsWith(':write')) return `gains write scope ${permission}`;
  if (WRITE_AZURE_ROLES.has(permission)) return `gains ${permission} (write access)`;
  return undefined;
}

function rank(role: string): number {
  return AZURE_ROLE_RANK[role] ?? DEFAULT_RANK;
}

function change(kind: ChangeKind, environment: string, grant: Grant, previous?: Grant): PermissionChange {
  const escalates = kind === 'granted' || kind === 'widened';
  const escalation = escalates ? escalationOf(grant.permission) : undefined;
  return {
    kind,
    environment,
    principal: grant.principal,
    resource: grant.resource,
    permission: grant.permission,
    ...(previous ? { previous: previous.permission } : {}),
    declaredBy: grant.declaredBy,
    ...(escalation ? { escalation } : {}),
  };
}

/**
 * What a grant means, whatever the construct paths: who (by deployed identity) holds what on which resource (by
 * deployed identity). Undefined for a manifest written before identities were recorded.
 */
function meaningKey(grant: Grant): string | undefined {
  if (grant.principalIdentity === undefined || grant.resourceIdentity === undefined) return undefined;
  return [
    grant.principalKind,
    grant.principalIdentity,
    grant.permissionKind,
    grant.permission,
    grant.resourceType,
    grant.resourceIdentity,
    grant.condition ?? '',
  ].join('\u0000');
}

/**
 * Pairs grants that were removed and added with the same meaning: a construct moved or renamed, nothing granted or
 * revoked. Returns the `moved` changes and what is left of each side.
 */
function pairMoves(
  environment: string,
  removed: readonly Grant[],
  added: readonly Grant[],
): { moved: PermissionChange[]; removed: Grant[]; added: Grant[] } {
  const byMeaning = new Map<string, Grant[]>();
  for (const grant of removed) {
    const key = meaningKey(grant);
    if (key !== undefined) byMeaning.set(key, [...(byMeaning.get(key) ?? []), grant]);
  }
  const moved: PermissionChange[] = [];
  const pairedRemovals = new Set<Grant>();
  const unpairedAdditions: Grant[] = [];
  for (const grant of added) {
    const key = meaningKey(grant);
    const previous = key === undefined ? undefined : byMeaning.get(key)?.shift();
    if (!previous) {
      unpairedAdditions.push(grant);
      continue;
    }
    pairedRemovals.add(previous);
    moved.push({
      kind: 'moved',
      environment,
      principal: grant.principal,
      resource: grant.resource,
      permission: grant.permission,
      declaredBy: grant.declaredBy,
      movedFrom: { principal: previous.principal, resource: previous.resource },
    });
  }
  return { moved, removed: removed.filter((g) => !pairedRemovals.has(g)), added: unpairedAdditions };
}

/** Same principal and resource: by deployed identity when both grants record it, else by path. */
function sameHolderAndResource(a: Grant, b: Grant): boolean {
  if (a.principalIdentity !== undefined && b.principalIdentity !== undefined) {
    return a.principalIdentity === b.principalIdentity && a.resourceIdentity === b.resourceIdentity;
  }
  return a.principal === b.principal && a.resource === b.resource;
}

function diffGrants(environment: string, before: readonly Grant[], after: readonly Grant[]): PermissionChange[] {
  const beforeKeys = new Map(before.map((g) => [grantKey(g), g]));
  const afterKeys = new Map(after.map((g) => [grantKey(g), g]));
  const moves = pairMoves(
    environment,
    before.filter((g) => !afterKeys.has(grantKey(g))),
    after.filter((g) => !beforeKeys.has(grantKey(g))),
  );
  const { added, removed } = moves;
  const changes: PermissionChange[] = [...moves.moved];

  // An Azure role swapped on the same principal and resource is one widened/narrowed change, not a grant + revoke.
  const pairedRemovals = new Set<Grant>();
  for (const grant of added) {
    const swapped =
      grant.permissionKind === 'azure_role'
        ? removed.find(
            (old) =>
              !pairedRemovals.has(old) && old.permissionKind === 'azure_role' && sameHolderAndResource(old, grant),
          )
        : undefined;
    if (swapped && rank(grant.permission) !== rank(swapped.permission)) {
      pairedRemovals.add(swapped);
      changes.push(
        change(rank(grant.permission) > rank(swapped.permission) ? 'widened' : 'narrowed', environment, grant, swapped),
      );
    } else {
      changes.push(change('granted', environment, grant));
    }
  }
  for (const grant of removed) {
    if (!pairedRemovals.has(grant)) changes.push(change('revoked', environment, grant));
  }
  return changes;
}

function diffRoles(
  environment: string,
  before: PermissionManifest['roles'],
  after: PermissionManifest['roles'],
): PermissionChange[] {
  const changes: PermissionChange[] = [];
  const declaredBy = 'catalog';
  for (const role of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const was = new Set(before[role] ?? []);
    const now = new Set(after[role] ?? []);
    const principal = `role ${role}`;
    for (const permission of now) {
      if (was.has(permission)) continue;
      const escalation = escalationOf(permission);
      changes.push({
        kind: 'widened',
        environment,
        principal,
        resource: 'catalog',
        permission,
        declaredBy,
        ...(escalation ? { escalation } : {}),
      });
    }
    for (const permission of was) {
      if (!now.has(permission)) {
        changes.push({ kind: 'narrowed', environment, principal, resource: 'catalog', permission, declaredBy });
      }
    }
  }
  return changes;
}

/** Every change between two manifests of one environment; either side may be missing (a new or removed env). */
export function diffManifests(
  environment: string,
  before: PermissionManifest | undefined,
  after: PermissionManifest | undefined,
): PermissionChange[] {
  return [
    ...diffGrants(environment, before?.grants ?? [], after?.grants ?? []),
    ...diffRoles(environment, before?.roles ?? {}, after?.roles ?? {}),
  ];
}

const KIND_ORDER: Readonly<Record<ChangeKind, number>> = { granted: 0, widened: 1, narrowed: 2, revoked: 3, moved: 4 };

/** Escalations first, then by kind, environment, principal, permission. */
export function sortChanges(changes: readonly PermissionChange[]): PermissionChange[] {
  return [...changes].sort(
    (a, b) =>
      Number(Boolean(b.escalation)) - Number(Boolean(a.escalation)) ||
      KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
      a.environment.localeCompare(b.environment) ||
      a.principal.localeCompare(b.principal) ||
      a.permission.localeCompare(b.permission),
  );
}

/** Markdown for a PR comment: escalations first, one line per change. */
export function renderDiffMarkdown(changes: readonly PermissionChange[]): string {
  const sorted = sortChanges(changes);
  const lines = ['## Permission changes', ''];
  if (sorted.length === 0) {
    lines.push('No permission changes.');
    return `${lines.join('\n')}\n`;
  }
  const escalations = sorted.filter((c) => c.escalation);
  if (escalations.length > 0) {
    lines.push(`**${escalations.length} escalation(s): a second reviewer is required.**`, '');
  }
  lines.push('| | change | env | principal | permission | on | declared by |', '|---|---|---|---|---|---|---|');
  for (const c of sorted) {
    const permission = c.previous ? `${c.previous} → ${c.permission}` : c.permission;
    const flag = c.escalation ? `⚠️ ${c.escalation}` : '';
    const principal =
      c.movedFrom && c.movedFrom.principal !== c.principal
        ? `${c.movedFrom.principal}\` → \`${c.principal}`
        : c.principal;
    const resource =
      c.movedFrom && c.movedFrom.resource !== c.resource ? `${c.movedFrom.resource}\` → \`${c.resource}` : c.resource;
    lines.push(
      `| ${flag} | ${c.kind} | ${c.environment} | \`${principal}\` | \`${permission}\` | \`${resource}\` | \`${c.declaredBy}\` |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
