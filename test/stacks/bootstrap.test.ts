import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { type BootstrapSettings, bootstrap, stateBackend } from '../../stacks/bootstrap-settings.js';
import {
  BOOTSTRAP_STATE_PATH,
  BootstrapStack,
  DEPLOYER_GRAPH_PERMISSIONS,
  PLANNER_GRAPH_PERMISSIONS,
} from '../../stacks/bootstrap-stack.js';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';

type Block = Record<string, unknown>;
interface StackJson {
  resource: Record<string, Record<string, Block>>;
  data: Record<string, Record<string, Block>>;
  output: Record<string, { value: unknown }>;
  terraform: { backend: Record<string, Block> };
  provider: Record<string, Block[]>;
}

function synthBootstrap(
  settings: BootstrapSettings = bootstrap,
  envs: readonly EnvironmentSettings[] = environments,
): { json: StackJson; text: string } {
  const text = Testing.synth(new BootstrapStack(Testing.app(), settings, envs), true);
  return { json: JSON.parse(text) as StackJson, text };
}

const { json, text } = synthBootstrap();
const all = (type: string) => Object.values(json.resource[type] ?? {});
/** The resource of `type` whose logical id is its construct path `prefix` (plus cdktf's hash). */
const entryOf = (type: string, prefix: string): [string, Block] => {
  const found = Object.entries(json.resource[type] ?? {}).find(([id]) =>
    new RegExp(`^${prefix}(_[0-9A-F]{8})?$`).test(id),
  );
  if (!found) throw new Error(`no ${type} ${prefix}`);
  return found;
};
const byPath = (type: string, prefix: string) => entryOf(type, prefix)[1];
const deployer = 'Deployer_ServicePrincipal';
const planner = 'Planner_ServicePrincipal';
const principalRef = (principal: string) =>
  `\${azuread_service_principal.${entryOf('azuread_service_principal', principal)[0]}.object_id}`;
/** `[role, scope]` of every role assignment held by `principal`, sorted. */
const rolesOf = (principal: string) =>
  all('azurerm_role_assignment')
    .filter((a) => a.principal_id === principalRef(principal))
    .map((a) => [a.role_definition_name, a.scope])
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
const groupId = (env: string) =>
  `\${azurerm_resource_group.${entryOf('azurerm_resource_group', `${env}_ResourceGroup`)[0]}.id}`;
const registryId = (env: string) => {
  const image = environments.find((e) => e.name === env)?.runtime.image;
  return image?.kind === 'registry' ? image.registryId : undefined;
};
const containerScope = expect.stringMatching(
  /^\$\{azurerm_storage_container\.StateStorage_Container_[0-9A-F]{8}\.id\}$/,
);

describe('bootstrap stack', () => {
  it('keeps local state at the repository root, by a relative path', () => {
    expect(json.terraform.backend).toEqual({ local: { path: BOOTSTRAP_STATE_PATH } });
    expect(text).not.toContain(process.cwd());
  });

  it('moves its own state into the state container when asked', () => {
    const { json: moved } = synthBootstrap({ ...bootstrap, stateInStorage: true });
    expect(moved.terraform.backend).toEqual({
      azurerm: {
        subscription_id: bootstrap.subscriptionId,
        tenant_id: bootstrap.tenantId,
        resource_group_name: 'rg-gatehouse-tfstate',
        storage_account_name: 'stgatehousetfstate',
        container_name: 'tfstate',
        key: 'gatehouse/bootstrap.tfstate',
        use_azuread_auth: true,
      },
    });
  });

  it('fails when an environment state key is the one bootstrap moves its state to', () => {
    const [dev] = environments;
    const clash = { ...dev, backend: stateBackend('gatehouse/bootstrap.tfstate') };
    expect(() => synthBootstrap(bootstrap, [clash])).toThrow(
      'bootstrap: environments[dev].backend.key must be a key other than "gatehouse/bootstrap.tfstate", which holds the bootstrap state; got "gatehouse/bootstrap.tfstate"',
    );
  });

  it('creates the state storage the environments use, Entra-only with versioning and soft delete', () => {
    expect(all('azurerm_storage_account')).toEqual([
      expect.objectContaining({
        name: 'stgatehousetfstate',
        resource_group_name: expect.stringMatching(/^\$\{azurerm_resource_group\.StateResourceGroup\.name\}$/),
        shared_access_key_enabled: false,
        default_to_oauth_authentication: true,
        min_tls_version: 'TLS1_2',
        allow_nested_items_to_be_public: false,
        infrastructure_encryption_enabled: true,
        blob_properties: {
          versioning_enabled: true,
          delete_retention_policy: { days: 30 },
          container_delete_retention_policy: { days: 30 },
        },
      }),
    ]);
    expect(all('azurerm_storage_container')).toEqual([expect.objectContaining({ name: 'tfstate' })]);
    expect(byPath('azurerm_resource_group', 'StateResourceGroup')).toMatchObject({ name: 'rg-gatehouse-tfstate' });
    for (const env of environments) {
      expect(env.backend).toEqual(stateBackend(env.backend.key));
      expect(env.backend).toMatchObject({
        subscriptionId: bootstrap.subscriptionId,
        resourceGroupName: 'rg-gatehouse-tfstate',
        storageAccountName: 'stgatehousetfstate',
        containerName: 'tfstate',
      });
    }
    // The provider creating an account without shared keys never calls its data plane (an Owner has no data role):
    // account, blob properties and container go through Resource Manager.
    expect(json.provider.azurerm[0]).toMatchObject({
      subscription_id: bootstrap.subscriptionId,
      storage_use_azuread: true,
      features: [{ storage: [{ data_plane_available: false }] }],
    });
  });

  it('creates each environment resource group in its own subscription', () => {
    for (const env of environments) {
      const group = byPath('azurerm_resource_group', `${env.name}_ResourceGroup`);
      expect(group).toMatchObject({ name: env.resourceGroupName, location: env.location, tags: env.tags });
      expect(group.provider).toBe(`azurerm.${env.name}`);
      expect(json.provider.azurerm).toContainEqual(
        expect.objectContaining({ alias: env.name, subscription_id: env.subscriptionId }),
      );
    }
  });

  it('trusts exactly the deploy branch and each GitHub environment for the deployer, pull requests for the planner', () => {
    const credentials = all('azuread_application_federated_identity_credential');
    const subjectsOf = (application: string) =>
      credentials
        .filter((c) => String(c.application_id).startsWith(`\${azuread_application.${application}_`))
        .map((c) => c.subject)
        .sort();
    expect(subjectsOf('Deployer')).toEqual([
      'repo:your-org/gatehouse:environment:dev',
      'repo:your-org/gatehouse:environment:prod',
      'repo:your-org/gatehouse:environment:staging',
      'repo:your-org/gatehouse:ref:refs/heads/main',
    ]);
    expect(subjectsOf('Planner')).toEqual(['repo:your-org/gatehouse:pull_request']);
    expect(credentials).toHaveLength(5);
    for (const credential of credentials) {
      expect(credential).toMatchObject({
        issuer: 'https://token.actions.githubusercontent.com',
        audiences: ['api://AzureADTokenExchange'],
      });
    }
    expect(all('azuread_application').map((a) => a.display_name)).toEqual(['gatehouse-deployer', 'gatehouse-planner']);
  });

  it('holds no secret: no application password or key anywhere, no output of one', () => {
    expect(text).not.toContain('azuread_application_password');
    expect(text).not.toContain('azuread_service_principal_password');
    expect(text).not.toContain('azuread_application_certificate');
    expect(Object.keys(json.output).sort()).toEqual([
      'deployer_client_id',
      'planner_client_id',
      'state_container_name',
      'state_storage_account_name',
      'tenant_id',
    ]);
    expect(json.output.deployer_client_id.value).toMatch(/^\$\{azuread_application\.Deployer_[\w-]+\.client_id\}$/);
    expect(json.output.planner_client_id.value).toMatch(/^\$\{azuread_application\.Planner_[\w-]+\.client_id\}$/);
  });

  it('grants the deployer roles on each environment group, registry and runner network, never the subscription', () => {
    const expected: unknown[][] = [['Storage Blob Data Contributor', containerScope]];
    for (const env of environments) {
      expected.push(['Contributor', groupId(env.name)], ['Role Based Access Control Administrator', groupId(env.name)]);
      expected.push(
        ['AcrPush', registryId(env.name)],
        ['Role Based Access Control Administrator', registryId(env.name)],
      );
      const access = env.keyVaultNetwork.deployerAccess;
      if (access.kind === 'privateNetwork' && access.virtualNetworkId) {
        expected.push(['Network Contributor', access.virtualNetworkId]);
      }
    }
    const roles = rolesOf(deployer);
    expect(roles).toHaveLength(expected.length);
    expect(roles).toEqual(expect.arrayContaining(expected));
    for (const [, scope] of roles) expect(scope).not.toMatch(/^\/subscriptions\/[^/]+$/);
  });

  it('constrains the deployer role administration to the roles the environment stacks assign', () => {
    const administrators = all('azurerm_role_assignment').filter(
      (a) => a.role_definition_name === 'Role Based Access Control Administrator',
    );
    expect(administrators).toHaveLength(2 * environments.length);
    for (const administrator of administrators) {
      expect(administrator.condition_version).toBe('2.0');
      const onRegistry = String(administrator.scope).includes('Microsoft.ContainerRegistry');
      const ids = onRegistry
        ? '7f951dda-4ed3-4680-a7ca-43fe172d538d'
        : '4633458b-17de-408a-b874-0445c86b69e6, b86a8fe4-44ce-4948-aee5-eccb2c155cd7';
      expect(administrator.condition).toContain(
        `@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}`,
      );
      expect(administrator.condition).toContain(
        `@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}`,
      );
    }
  });

  it('grants the planner read roles, Key Vault Secrets User and the state lease only', () => {
    const expected: unknown[][] = [['Storage Blob Data Contributor', containerScope]];
    for (const env of environments) {
      expected.push(['Reader', groupId(env.name)], ['Key Vault Secrets User', groupId(env.name)]);
      expected.push(['Reader', registryId(env.name)], ['AcrPull', registryId(env.name)]);
      const access = env.keyVaultNetwork.deployerAccess;
      if (access.kind === 'privateNetwork' && access.virtualNetworkId)
        expected.push(['Reader', access.virtualNetworkId]);
    }
    const roles = rolesOf(planner);
    expect(roles).toHaveLength(expected.length);
    expect(roles).toEqual(expect.arrayContaining(expected));
  });

  it('grants the Microsoft Graph application permissions as app-role assignments on Graph', () => {
    const graph = Object.entries(json.data.azuread_service_principal);
    for (const [, block] of graph) expect(block).toMatchObject({ client_id: '00000003-0000-0000-c000-000000000000' });
    const assignments = all('azuread_app_role_assignment');
    const heldBy = (principal: string) =>
      assignments
        .filter((a) => a.principal_object_id === principalRef(principal))
        .map((a) => /app_role_ids\["([^"]+)"\]/.exec(String(a.app_role_id))?.[1])
        .sort();
    expect(heldBy(deployer)).toEqual([...DEPLOYER_GRAPH_PERMISSIONS].sort());
    expect(heldBy(planner)).toEqual([...PLANNER_GRAPH_PERMISSIONS].sort());
    expect(assignments).toHaveLength(5);
  });

  it('grants the Log Analytics workspace an environment names, once', () => {
    const [dev, staging] = environments;
    const workspace = '/subscriptions/s/resourceGroups/rg-logs/providers/Microsoft.OperationalInsights/workspaces/logs';
    const { json: logged } = synthBootstrap(bootstrap, [
      { ...dev, logAnalyticsWorkspaceId: workspace },
      { ...staging, logAnalyticsWorkspaceId: workspace },
    ]);
    const onWorkspace = Object.values(logged.resource.azurerm_role_assignment)
      .filter((a) => a.scope === workspace)
      .map((a) => a.role_definition_name)
      .sort();
    expect(onWorkspace).toEqual(['Log Analytics Contributor', 'Reader']);
    expect(Object.values(json.resource.azurerm_role_assignment).map((a) => a.role_definition_name)).not.toContain(
      'Log Analytics Contributor',
    );
  });

  it('grants no push on the registry of a prebuilt image, only what the runtime pull needs', () => {
    const [dev] = environments;
    const registry =
      '/subscriptions/s/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/crshared';
    const prebuilt: EnvironmentSettings = {
      ...dev,
      runtime: {
        ...dev.runtime,
        image: {
          kind: 'prebuilt',
          reference: `crshared.azurecr.io/gatehouse-runtime@sha256:${'a'.repeat(64)}`,
          registry: { id: registry, loginServer: 'crshared.azurecr.io' },
        },
      },
    };
    const { json: pulled } = synthBootstrap(bootstrap, [prebuilt]);
    const onRegistry = Object.values(pulled.resource.azurerm_role_assignment)
      .filter((a) => a.scope === registry)
      .map((a) => a.role_definition_name)
      .sort();
    expect(onRegistry).toEqual(['AcrPull', 'Reader', 'Role Based Access Control Administrator']);
  });

  it('grants a shared registry once', () => {
    const [dev, staging] = environments;
    const shared = { ...staging, runtime: { ...staging.runtime, image: dev.runtime.image } };
    const { json: sharedJson } = synthBootstrap(bootstrap, [dev, shared]);
    const acrPush = Object.values(sharedJson.resource.azurerm_role_assignment).filter(
      (a) => a.role_definition_name === 'AcrPush',
    );
    expect(acrPush).toHaveLength(1);
  });

  it.each([
    [
      'the repository is not owner/name',
      { repository: 'gatehouse' },
      'bootstrap: repository must be a GitHub repository "owner/name"; got "gatehouse"',
    ],
    [
      'the repository is a URL',
      { repository: 'https://github.com/acme/gatehouse' },
      'bootstrap: repository must be a GitHub repository "owner/name"; got "https://github.com/acme/gatehouse"',
    ],
    [
      'a placeholder tenant is left outside a sample',
      { example: false },
      'bootstrap: tenantId must be your own GUID, not a placeholder (remove placeholders, or mark a sample with example: true); got "11111111-1111-1111-1111-111111111111"',
    ],
  ])('fails when %s', (_, change, message) => {
    expect(() => synthBootstrap({ ...bootstrap, ...(change as Partial<BootstrapSettings>) })).toThrow(message);
  });

  it('fails when an environment lives in another tenant', () => {
    const [dev] = environments;
    const other = { ...dev, tenantId: '22222222-1111-1111-1111-111111111111' };
    expect(() => synthBootstrap(bootstrap, [other])).toThrow(
      'bootstrap: environments[dev].tenantId must be the bootstrap tenant 11111111-1111-1111-1111-111111111111; got "22222222-1111-1111-1111-111111111111"',
    );
  });

  it('fails when an environment backend is not the state storage bootstrap creates', () => {
    const [dev] = environments;
    const other = { ...dev, backend: { ...dev.backend, storageAccountName: 'stelsewhere' } };
    expect(() => synthBootstrap(bootstrap, [other])).toThrow(
      'bootstrap: environments[dev].backend.storageAccountName must be "stgatehousetfstate", the state storage bootstrap creates (build it with stateBackend(key)); got "stelsewhere"',
    );
  });
});
