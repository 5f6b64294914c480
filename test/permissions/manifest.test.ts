import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogToJson, defaultCatalog, extendCatalog } from '../../catalog/index.js';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { ESCALATION_EXIT_CODE, runPermissionsCommand } from '../../tools/permissions/cli.js';
import { diffManifests, escalationOf, renderDiffMarkdown } from '../../tools/permissions/diff.js';
import { generateManifests, STALE_MESSAGE } from '../../tools/permissions/generate.js';
import {
  buildManifest,
  deployedCatalog,
  FEDERATED_SIGN_IN,
  type PermissionManifest,
  serializeManifest,
} from '../../tools/permissions/manifest.js';
import { renderMermaid, renderPermissionsMarkdown } from '../../tools/permissions/render-markdown.js';
import { type FixtureOptions, GROUP_PRINCIPAL, synthesizeFixture } from './fixture-stack.js';

const before: FixtureOptions = {
  clientScopes: ['incidents:read'],
  groupRoles: ['admin', 'analyst'],
  runtimeVaultRole: 'Key Vault Secrets User',
};
// A scope added to a client, a role removed from the group, the runtime's Key Vault grant widened.
const after: FixtureOptions = {
  clientScopes: ['incidents:read', 'investigations:write'],
  groupRoles: ['admin'],
  runtimeVaultRole: 'Key Vault Secrets Officer',
};

function manifestOf(options: FixtureOptions, catalog = defaultCatalog): PermissionManifest {
  return buildManifest('dev', synthesizeFixture(options), catalog);
}

describe('permission manifest', () => {
  let manifest: PermissionManifest;
  beforeAll(() => {
    manifest = manifestOf(before);
  });

  it('lists one entry per grant with the principal, what it holds, on what, and who declared it', () => {
    expect(manifest.grants).toEqual([
      {
        principal: 'deployer',
        principalKind: 'deployer',
        permission: 'Key Vault Secrets Officer',
        permissionKind: 'azure_role',
        resource: 'vault',
        resourceType: 'azurerm_key_vault',
        declaredBy: 'vault/DeployerSecretsOfficer',
        principalIdentity: 'deployer',
        resourceIdentity: 'azurerm_key_vault:gh-dev-kv',
      },
      {
        principal: GROUP_PRINCIPAL,
        principalKind: 'user_or_group',
        permission: 'admin',
        permissionKind: 'entra_app_role',
        resource: 'api/ServicePrincipal',
        resourceType: 'azuread_service_principal',
        declaredBy: 'api/Assign-admin',
        principalIdentity: GROUP_PRINCIPAL,
        resourceIdentity: 'service principal of azuread_application:gatehouse-api-dev',
      },
      {
        principal: GROUP_PRINCIPAL,
        principalKind: 'user_or_group',
        permission: 'analyst',
        permissionKind: 'entra_app_role',
        resource: 'api/ServicePrincipal',
        resourceType: 'azuread_service_principal',
        declaredBy: 'api/Assign-analyst',
        principalIdentity: GROUP_PRINCIPAL,
        resourceIdentity: 'service principal of azuread_application:gatehouse-api-dev',
      },
      {
        principal: 'reporting/ServicePrincipal',
        principalKind: 'application',
        permission: 'incidents:read',
        permissionKind: 'entra_app_role',
        resource: 'api/ServicePrincipal',
        resourceType: 'azuread_service_principal',
        declaredBy: 'reporting/Grant-incidents-read',
        principalIdentity: 'service principal of azuread_application:reporting',
        resourceIdentity: 'service principal of azuread_application:gatehouse-api-dev',
      },
      {
        principal: 'runtime/Identity',
        principalKind: 'managed_identity',
        permission: 'Key Vault Secrets User',
        permissionKind: 'azure_role',
        resource: 'vault',
        resourceType: 'azurerm_key_vault',
        declaredBy: 'runtime/VaultAccess',
        principalIdentity: 'azurerm_user_assigned_identity:gh-runtime',
        resourceIdentity: 'azurerm_key_vault:gh-dev-kv',
      },
    ]);
  });

  it('shows federated credentials as a sign-in as the application, for identities and outside workloads', () => {
    const grants = manifestOf({ ...before, federatedCredentials: true }).grants.filter(
      (g) => g.permissionKind === 'federated_credential',
    );
    expect(grants).toEqual([
      {
        principal: 'https://token.actions.githubusercontent.com repo:acme/app:ref:refs/heads/main',
        principalKind: 'external_workload',
        permission: FEDERATED_SIGN_IN,
        permissionKind: 'federated_credential',
        resource: 'api',
        resourceType: 'azuread_application',
        declaredBy: 'api/PipelineFederated',
        principalIdentity: 'https://token.actions.githubusercontent.com repo:acme/app:ref:refs/heads/main',
        resourceIdentity: 'azuread_application:gatehouse-api-dev',
      },
      {
        principal: 'runtime/Identity',
        principalKind: 'managed_identity',
        permission: FEDERATED_SIGN_IN,
        permissionKind: 'federated_credential',
        resource: 'api',
        resourceType: 'azuread_application',
        declaredBy: 'api/RuntimeFederated',
        principalIdentity: 'azurerm_user_assigned_identity:gh-runtime',
        resourceIdentity: 'azuread_application:gatehouse-api-dev',
      },
    ]);
  });

  it('shows each action of a registry token on its registry', () => {
    const grants = manifestOf({ ...before, registryPushToken: true }).grants.filter(
      (g) => g.principalKind === 'registry_token',
    );
    expect(grants.map((g) => [g.principal, g.permission, g.resource])).toEqual([
      ['registry/PushToken', 'repositories/runtime/content/read', 'registry'],
      ['registry/PushToken', 'repositories/runtime/content/write', 'registry'],
    ]);
  });

  it("shows the runtime's own database role, granted by the role job, and who administers the server", () => {
    const dev = environments.find((env) => env.name === 'dev') as EnvironmentSettings;
    const devManifest = generateManifests([dev]).find((m) => m.environment === 'dev') as PermissionManifest;
    const database = devManifest.grants.filter((g) => g.resourceType === 'azurerm_postgresql_flexible_server');
    expect(database).toEqual([
      {
        principal: 'Platform/Runtime/Database/AdministratorIdentity',
        principalKind: 'managed_identity',
        permission: 'PostgreSQL Entra administrator',
        permissionKind: 'postgresql_admin',
        resource: 'Platform/Runtime/Database',
        resourceType: 'azurerm_postgresql_flexible_server',
        declaredBy: 'Platform/Runtime/Database/EntraAdministrator',
        principalIdentity: 'azurerm_user_assigned_identity:gatehouse-dev-pg-admin',
        resourceIdentity: 'azurerm_postgresql_flexible_server:gatehouse-dev-pg',
      },
      {
        principal: 'Platform/RuntimeIdentity',
        principalKind: 'managed_identity',
        permission: 'PostgreSQL role: CONNECT, TEMPORARY on database gatehouse; USAGE, CREATE on schema public',
        permissionKind: 'postgresql_role',
        resource: 'Platform/Runtime/Database',
        resourceType: 'azurerm_postgresql_flexible_server',
        declaredBy: 'Platform/Runtime/DatabaseRoles',
        principalIdentity: 'azurerm_user_assigned_identity:gatehouse-dev-id',
        resourceIdentity: 'azurerm_postgresql_flexible_server:gatehouse-dev-pg',
      },
    ]);
  });

  it('lists the deployer and planner of the bootstrap stack with their Graph permissions and Azure roles', () => {
    const dev = environments.find((env) => env.name === 'dev') as EnvironmentSettings;
    const manifests = generateManifests([dev]);
    expect(manifests.map((m) => m.environment)).toEqual(['bootstrap', 'dev']);
    const [bootstrap] = manifests;
    const held = (principal: string, kind: string) =>
      bootstrap.grants
        .filter((g) => g.principal === principal && g.permissionKind === kind)
        .map((g) => g.permission)
        .sort();
    expect(held('Deployer/ServicePrincipal', 'entra_app_role')).toEqual([
      'AppRoleAssignment.ReadWrite.All',
      'Application.Read.All',
      'Application.ReadWrite.OwnedBy',
    ]);
    expect(held('Planner/ServicePrincipal', 'entra_app_role')).toEqual(['Application.Read.All', 'Directory.Read.All']);
    const graph = bootstrap.grants.find((g) => g.permission === 'Directory.Read.All');
    expect(graph).toMatchObject({
      principalKind: 'application',
      resource: 'Planner/MicrosoftGraph',
      resourceType: 'azuread_service_principal',
      resourceIdentity: 'azuread_service_principal:Microsoft Graph',
      principalIdentity: 'service principal of azuread_application:gatehouse-planner',
    });
    expect(held('Deployer/ServicePrincipal', 'azure_role')).toEqual([
      'AcrPush',
      'Contributor',
      'Role Based Access Control Administrator',
      'Role Based Access Control Administrator',
      'Storage Blob Data Contributor',
    ]);
    expect(held('Planner/ServicePrincipal', 'azure_role')).toEqual([
      'AcrPull',
      'Key Vault Secrets User',
      'Reader',
      'Reader',
      'Storage Blob Data Contributor',
    ]);
    // The state grant is on the container of the stack, however its scope is spelled.
    expect(bootstrap.grants.filter((g) => g.permission === 'Storage Blob Data Contributor')).toEqual([
      expect.objectContaining({
        principal: 'Deployer/ServicePrincipal',
        resource: 'StateStorage/Container',
        resourceType: 'azurerm_storage_container',
        resourceIdentity: 'azurerm_storage_container:tfstate',
      }),
      expect.objectContaining({ principal: 'Planner/ServicePrincipal', resource: 'StateStorage/Container' }),
    ]);
    // The role administrator's condition is part of the grant, and the Markdown names the roles it may assign.
    const administrator = bootstrap.grants.find(
      (g) => g.permission === 'Role Based Access Control Administrator' && g.resource.startsWith('dev/'),
    );
    expect(administrator?.condition).toContain('ForAnyOfAnyValues:GuidEquals');
    expect(renderPermissionsMarkdown(manifests)).toContain(
      '`Role Based Access Control Administrator, conditional: only roles Key Vault Secrets Officer, Key Vault Secrets User`',
    );
    expect(
      bootstrap.grants
        .filter((g) => g.permissionKind === 'federated_credential')
        .map((g) => [g.principal, g.resource])
        .sort(),
    ).toEqual([
      ['https://token.actions.githubusercontent.com repo:your-org/gatehouse:environment:dev', 'Deployer'],
      ['https://token.actions.githubusercontent.com repo:your-org/gatehouse:pull_request', 'Planner'],
      ['https://token.actions.githubusercontent.com repo:your-org/gatehouse:ref:refs/heads/main', 'Deployer'],
    ]);
  });

  it('includes the catalog role map', () => {
    expect(manifest.roles.viewer).toEqual(['graph:read', 'incidents:read', 'investigations:read', 'search:read']);
    expect(Object.keys(manifest.roles)).toEqual(defaultCatalog.roleValues);
  });

  it('serializes identically for the same input (stable order)', () => {
    expect(serializeManifest(manifestOf(before))).toBe(serializeManifest(manifest));
  });

  it('renders a Mermaid diagram from principals through permissions to resources', () => {
    const diagram = renderMermaid(manifest);
    expect(diagram.startsWith('```mermaid\nflowchart LR')).toBe(true);
    expect(diagram).toContain('(["runtime/Identity (managed_identity)"])');
    expect(diagram).toContain('{{"Key Vault Secrets User"}}');
    expect(diagram).toContain('[("vault")]');
    const markdown = renderPermissionsMarkdown([manifest]);
    expect(markdown).toContain('## dev');
    expect(markdown).toContain(
      '| `runtime/Identity` | managed_identity | `Key Vault Secrets User` | azure_role | `vault` | `runtime/VaultAccess` |',
    );
    expect(markdown).toContain('| `viewer` | `graph:read` `incidents:read` `investigations:read` `search:read` |');
  });
});

describe('deployed catalog', () => {
  const runtimeWith = (catalogJson: string) => ({
    template: {
      container: [
        {
          name: 'runtime',
          env: [
            { name: 'PORT', value: '8080' },
            { name: 'CATALOG_JSON', value: catalogJson },
          ],
        },
      ],
    },
  });
  const extended = extendCatalog(defaultCatalog, {
    scopes: [{ value: 'tickets:read', description: 'Read tickets' }],
    grants: { viewer: ['tickets:read'] },
  });

  it('is the CATALOG_JSON the stack gives its runtime, so the role map shows what is enforced', () => {
    const stack = { resource: { azurerm_container_app: { runtime: runtimeWith(catalogToJson(extended)) } } };
    expect(deployedCatalog(stack).definition).toEqual(extended.definition);
    expect(buildManifest('dev', stack).roles.viewer).toContain('tickets:read');
  });

  it('is the default catalog for a stack without a runtime', () => {
    expect(deployedCatalog({ resource: {} })).toBe(defaultCatalog);
  });

  it('refuses a stack whose runtimes enforce different catalogs', () => {
    const stack = {
      resource: {
        azurerm_container_app: {
          a: runtimeWith(catalogToJson(extended)),
          b: runtimeWith(catalogToJson(defaultCatalog)),
        },
      },
    };
    expect(() => deployedCatalog(stack)).toThrow('the stack runs runtimes with different catalogs');
  });
});

describe('permission diff', () => {
  let old: PermissionManifest;
  let next: PermissionManifest;
  beforeAll(() => {
    old = manifestOf(before);
    next = manifestOf(after);
  });

  it('classifies a new scope as granted, a removed role as revoked and a stronger vault role as widened', () => {
    const changes = diffManifests('dev', old, next);
    expect(changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'granted',
          principal: 'reporting/ServicePrincipal',
          permission: 'investigations:write',
          escalation: 'gains write scope investigations:write',
        }),
        expect.objectContaining({ kind: 'revoked', principal: GROUP_PRINCIPAL, permission: 'analyst' }),
        expect.objectContaining({
          kind: 'widened',
          principal: 'runtime/Identity',
          previous: 'Key Vault Secrets User',
          permission: 'Key Vault Secrets Officer',
          escalation: 'gains Key Vault Secrets Officer (write access)',
        }),
      ]),
    );
    expect(changes).toHaveLength(3);
  });

  it('prints escalations first as Markdown table lines', () => {
    const lines = renderDiffMarkdown(diffManifests('dev', old, next)).split('\n');
    expect(lines).toContain('**2 escalation(s): a second reviewer is required.**');
    const rows = lines.filter((line) => line.startsWith('| ') && !line.startsWith('| |'));
    expect(rows).toEqual([
      '| ⚠️ gains write scope investigations:write | granted | dev | `reporting/ServicePrincipal` | `investigations:write` | `api/ServicePrincipal` | `reporting/Grant-investigations-write` |',
      '| ⚠️ gains Key Vault Secrets Officer (write access) | widened | dev | `runtime/Identity` | `Key Vault Secrets User → Key Vault Secrets Officer` | `vault` | `runtime/VaultAccess` |',
      '|  | revoked | dev | `object:00000000-0000-4000-8000-0000000000aa` | `analyst` | `api/ServicePrincipal` | `api/Assign-analyst` |',
    ]);
  });

  it('reports a narrowed vault role and no escalation the other way round', () => {
    const changes = diffManifests('dev', next, old);
    expect(changes.find((c) => c.kind === 'narrowed')).toMatchObject({
      principal: 'runtime/Identity',
      previous: 'Key Vault Secrets Officer',
      permission: 'Key Vault Secrets User',
    });
    expect(changes.some((c) => c.escalation)).toBe(false);
  });

  it('flags a catalog role gaining a management permission', () => {
    const widened = extendCatalog(defaultCatalog, { grants: { analyst: ['users:manage'] } });
    const changes = diffManifests('dev', old, buildManifest('dev', synthesizeFixture(before), widened));
    expect(changes).toEqual([
      {
        kind: 'widened',
        environment: 'dev',
        principal: 'role analyst',
        resource: 'catalog',
        permission: 'users:manage',
        declaredBy: 'catalog',
        escalation: 'gains management permission users:manage',
      },
    ]);
  });

  it('flags Graph permissions that write or grant, and role administration, as escalations; Graph reads not', () => {
    expect(escalationOf('AppRoleAssignment.ReadWrite.All')).toBe(
      'gains Microsoft Graph AppRoleAssignment.ReadWrite.All (can grant any app role, Microsoft Graph permissions included, to any principal)',
    );
    expect(escalationOf('Application.ReadWrite.OwnedBy')).toBe(
      'gains Microsoft Graph write permission Application.ReadWrite.OwnedBy',
    );
    expect(escalationOf('Role Based Access Control Administrator')).toBe(
      'gains Role Based Access Control Administrator (write access)',
    );
    expect(escalationOf('Storage Blob Data Contributor')).toBe('gains Storage Blob Data Contributor (write access)');
    expect(escalationOf('Application.Read.All')).toBeUndefined();
    expect(escalationOf('Directory.Read.All')).toBeUndefined();
    expect(escalationOf('Reader')).toBeUndefined();
  });

  it('flags a new bootstrap manifest: every write or granting permission of the deployer needs a second reviewer', () => {
    const [bootstrap] = generateManifests([]);
    const changes = diffManifests('bootstrap', undefined, bootstrap);
    const flagged = (principal: string) =>
      changes
        .filter((c) => c.principal === principal && c.escalation)
        .map((c) => c.permission)
        .sort();
    expect(flagged('Deployer/ServicePrincipal')).toEqual([
      'AppRoleAssignment.ReadWrite.All',
      'Application.ReadWrite.OwnedBy',
      'Storage Blob Data Contributor',
    ]);
    expect(flagged('Planner/ServicePrincipal')).toEqual(['Storage Blob Data Contributor']);
  });

  it('reads a changed condition on a role administrator as a revocation and an escalating grant', () => {
    const grant = {
      principal: 'Deployer/ServicePrincipal',
      principalKind: 'application' as const,
      permission: 'Role Based Access Control Administrator',
      permissionKind: 'azure_role' as const,
      resource: 'dev/ResourceGroup',
      resourceType: 'azurerm_resource_group',
      declaredBy: 'Deployer/RoleAdministrator-dev',
      principalIdentity: 'service principal of azuread_application:gatehouse-deployer',
      resourceIdentity: 'azurerm_resource_group:rg-gatehouse-dev',
      condition: 'only AcrPull',
    };
    const changes = diffManifests(
      'bootstrap',
      { environment: 'bootstrap', grants: [grant], roles: {} },
      { environment: 'bootstrap', grants: [{ ...grant, condition: 'only AcrPull and Owner' }], roles: {} },
    );
    expect(changes.map((c) => [c.kind, Boolean(c.escalation)]).sort()).toEqual([
      ['granted', true],
      ['revoked', false],
    ]);
  });

  it('flags a new federated credential and a new registry push token as escalations', () => {
    const changes = diffManifests(
      'dev',
      old,
      manifestOf({ ...before, federatedCredentials: true, registryPushToken: true }),
    );
    expect(changes.filter((c) => c.escalation).map((c) => [c.principal, c.escalation])).toEqual([
      [
        'https://token.actions.githubusercontent.com repo:acme/app:ref:refs/heads/main',
        'gains a secretless sign-in as an application',
      ],
      ['registry/PushToken', 'gains registry push (repositories/runtime/content/write)'],
      ['runtime/Identity', 'gains a secretless sign-in as an application'],
    ]);
  });

  it('reads a construct moved to another path as moved, never as a grant and a revocation', () => {
    const moved = manifestOf({ ...before, parentPath: 'platform' });
    const changes = diffManifests('dev', old, moved);
    expect(changes.map((c) => [c.kind, c.principal, c.permission, c.resource, c.movedFrom])).toEqual([
      [
        'moved',
        'deployer',
        'Key Vault Secrets Officer',
        'platform/vault',
        { principal: 'deployer', resource: 'vault' },
      ],
      [
        'moved',
        'platform/runtime/Identity',
        'Key Vault Secrets User',
        'platform/vault',
        { principal: 'runtime/Identity', resource: 'vault' },
      ],
    ]);
    expect(changes.some((c) => c.escalation)).toBe(false);
    const rows = renderDiffMarkdown(changes)
      .split('\n')
      .filter((line) => line.startsWith('| ') && !line.startsWith('| |'));
    expect(rows).toContain(
      '|  | moved | dev | `runtime/Identity` → `platform/runtime/Identity` | `Key Vault Secrets User` | `vault` → `platform/vault` | `platform/runtime/VaultAccess` |',
    );
  });

  it('still reports a real change made together with a move', () => {
    const changes = diffManifests(
      'dev',
      old,
      manifestOf({ ...before, parentPath: 'platform', runtimeVaultRole: 'Key Vault Secrets Officer' }),
    );
    expect(changes.filter((c) => c.kind !== 'moved')).toEqual([
      expect.objectContaining({
        kind: 'widened',
        principal: 'platform/runtime/Identity',
        permission: 'Key Vault Secrets Officer',
        escalation: 'gains Key Vault Secrets Officer (write access)',
      }),
    ]);
  });

  it('says so when nothing changed', () => {
    expect(renderDiffMarkdown(diffManifests('dev', old, manifestOf(before)))).toBe(
      '## Permission changes\n\nNo permission changes.\n',
    );
  });
});

describe('permissions command', () => {
  let repo: string;
  let old: PermissionManifest;
  let next: PermissionManifest;
  const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });

  beforeAll(() => {
    repo = mkdtempSync(join(tmpdir(), 'gatehouse-permissions-repo-'));
    old = manifestOf(before);
    next = manifestOf(after);
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'test@example.invalid');
    git('config', 'user.name', 'test');
    const written = runPermissionsCommand(['write'], { root: repo, generate: () => [old] });
    expect(written.exitCode).toBe(0);
    git('add', '.');
    git('commit', '-q', '-m', 'base');
  });
  afterAll(() => rmSync(repo, { recursive: true, force: true }));

  it('diff exits 3 on an escalation and prints the change lines', () => {
    const result = runPermissionsCommand(['diff', '--base', 'HEAD'], { root: repo, generate: () => [next] });
    expect(result.exitCode).toBe(ESCALATION_EXIT_CODE);
    expect(result.stdout).toContain('| granted | dev | `reporting/ServicePrincipal` | `investigations:write` |');
  });

  it('diff exits 0 when a change only narrows', () => {
    git('tag', 'wide', 'HEAD');
    runPermissionsCommand(['write'], { root: repo, generate: () => [next] });
    git('commit', '-qam', 'widen');
    const result = runPermissionsCommand(['diff', '--base', 'HEAD'], { root: repo, generate: () => [old] });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('| narrowed | dev | `runtime/Identity` |');
    git('reset', '-q', '--hard', 'wide');
  });

  it('diff fails clearly on an unknown ref or a missing --base', () => {
    expect(runPermissionsCommand(['diff', '--base', 'no-such-ref'], { root: repo, generate: () => [old] })).toEqual({
      exitCode: 2,
      stdout: '',
      stderr: '--base: unknown git ref "no-such-ref"\n',
    });
    expect(runPermissionsCommand(['diff'], { root: repo, generate: () => [old] }).stderr).toContain(
      '--base is required',
    );
  });

  it('check fails on a stale manifest with the fix in the message, and passes after regeneration', () => {
    const stale = runPermissionsCommand(['check'], { root: repo, generate: () => [next] });
    expect(stale.exitCode).toBe(1);
    expect(stale.stderr).toBe(`${STALE_MESSAGE}\nstale: permissions/dev.json, PERMISSIONS.md\n`);
    runPermissionsCommand(['write'], { root: repo, generate: () => [next] });
    expect(runPermissionsCommand(['check'], { root: repo, generate: () => [next] }).exitCode).toBe(0);
  });

  it('check notices a hand edit of the committed manifest', () => {
    runPermissionsCommand(['write'], { root: repo, generate: () => [old] });
    const path = join(repo, 'permissions', 'dev.json');
    writeFileSync(path, readFileSync(path, 'utf8').replace('Key Vault Secrets User', 'Key Vault Administrator'));
    expect(runPermissionsCommand(['check'], { root: repo, generate: () => [old] }).stderr).toContain(
      'stale: permissions/dev.json',
    );
  });
});
