import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group/index.js';
import { GatehousePolicy, ValidationError } from '@gatehouse/constructs/core';
import { DeploymentIdentity } from '@gatehouse/constructs/deployment-identity';
import { StateStorage } from '@gatehouse/constructs/state-storage';
import { Aspects, AzurermBackend, LocalBackend, TerraformOutput, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { type BootstrapSettings, stateBackend } from './bootstrap-settings.js';
import { isPlaceholderGuid } from './environment-checks.js';
import type { EnvironmentSettings } from './environments.js';

/** The stack name: `npx cdktf deploy bootstrap`. */
export const BOOTSTRAP_STACK_NAME = 'bootstrap';

/**
 * Where bootstrap keeps its local state: relative to its working directory `cdktf.out/stacks/bootstrap`, so the file
 * lands at the repository root (`terraform.bootstrap.tfstate`, git-ignored), survives `cdktf synth`, and the JSON
 * names no path of the machine.
 */
export const BOOTSTRAP_STATE_PATH = '../../../terraform.bootstrap.tfstate';

/** The blob bootstrap's state moves to with `stateInStorage`. */
export const BOOTSTRAP_STATE_KEY = 'gatehouse/bootstrap.tfstate';

/**
 * Microsoft Graph application permissions of the deployer: create and manage the applications and service principals
 * it owns (and their credentials), read others, and grant app roles (the service clients' scopes).
 */
export const DEPLOYER_GRAPH_PERMISSIONS = [
  'Application.ReadWrite.OwnedBy',
  'AppRoleAssignment.ReadWrite.All',
  'Application.Read.All',
] as const;

/** Microsoft Graph application permissions of the planner: refresh applications, principals and assignments. */
export const PLANNER_GRAPH_PERMISSIONS = ['Application.Read.All', 'Directory.Read.All'] as const;

const REPOSITORY = /^[A-Za-z0-9][A-Za-z0-9-]{0,38}\/[A-Za-z0-9._-]{1,100}$/;

/** The registry an environment's runtime pulls from, and whether the deployer pushes to it. */
function registryOf(env: EnvironmentSettings): { id: string; pushed: boolean } | undefined {
  const { image } = env.runtime;
  if (image.kind === 'registry') return { id: image.registryId, pushed: true };
  return image.registry ? { id: image.registry.id, pushed: false } : undefined;
}

/**
 * Run once, with local state, by an administrator, before any environment: the Terraform state storage, every
 * environment's resource group, and the two identities the pipeline signs in as (no secret anywhere), each granted
 * only what docs/deploying.md lists:
 *
 * - the deployer (GitHub environments and the deploy branch): Contributor and Role Based Access Control Administrator
 *   (constrained to Key Vault Secrets Officer and Key Vault Secrets User) on each environment's resource group;
 *   AcrPush and Role Based Access Control Administrator (constrained to AcrPull) on each registry; Network Contributor
 *   on each runner network the stacks peer; Log Analytics Contributor on each workspace an environment names; Storage
 *   Blob Data Contributor on the state container; Microsoft Graph
 *   `DEPLOYER_GRAPH_PERMISSIONS`.
 * - the planner (pull requests): Reader and Key Vault Secrets User on each resource group; Reader and AcrPull on each
 *   registry; Reader on each runner network and workspace; Storage Blob Data Contributor on the state container (the plan's lease);
 *   Microsoft Graph `PLANNER_GRAPH_PERMISSIONS`.
 */
export class BootstrapStack extends TerraformStack {
  readonly stateStorage: StateStorage;
  readonly deployer: DeploymentIdentity;
  readonly planner: DeploymentIdentity;
  /** Each environment's resource group, by environment name. */
  readonly resourceGroups: ReadonlyMap<string, ResourceGroup>;

  constructor(scope: Construct, settings: BootstrapSettings, environments: readonly EnvironmentSettings[]) {
    super(scope, BOOTSTRAP_STACK_NAME);
    checkBootstrapSettings(this, settings, environments);
    new AzurermProvider(this, 'azurerm', {
      // The state account has no shared keys, so data-plane calls would need Entra data roles the administrator
      // does not hold; with the data plane off the provider manages the account, its blob properties and the
      // container through Resource Manager only (it then never reads queue or static-website properties).
      features: [{ storage: [{ dataPlaneAvailable: false }] }],
      subscriptionId: settings.subscriptionId,
      tenantId: settings.tenantId,
      storageUseAzuread: true,
    });
    new AzureadProvider(this, 'azuread', { tenantId: settings.tenantId });
    if (settings.stateInStorage === true) {
      new AzurermBackend(this, {
        ...stateBackend(BOOTSTRAP_STATE_KEY, settings),
        tenantId: settings.tenantId,
      });
    } else {
      new LocalBackend(this, { path: BOOTSTRAP_STATE_PATH });
    }
    Aspects.of(this).add(new GatehousePolicy());

    const { stateStorage } = settings;
    const stateGroup = new ResourceGroup(this, 'StateResourceGroup', {
      name: stateStorage.resourceGroupName,
      location: settings.location,
      tags: { ...settings.tags },
    });
    this.stateStorage = new StateStorage(this, 'StateStorage', {
      resourceGroupName: stateGroup.name,
      location: settings.location,
      storageAccountName: stateStorage.storageAccountName,
      containerName: stateStorage.containerName,
      blobSoftDeleteRetentionDays: stateStorage.blobSoftDeleteRetentionDays,
      containerSoftDeleteRetentionDays: stateStorage.containerSoftDeleteRetentionDays,
      tags: settings.tags,
    });

    this.deployer = new DeploymentIdentity(this, 'Deployer', {
      displayName: settings.deployerDisplayName,
      repository: settings.repository,
      branches: [settings.deployBranch],
      environments: environments.map((env) => env.name),
      graphApplicationPermissions: DEPLOYER_GRAPH_PERMISSIONS,
    });
    this.planner = new DeploymentIdentity(this, 'Planner', {
      displayName: settings.plannerDisplayName,
      repository: settings.repository,
      pullRequestsEnabled: true,
      graphApplicationPermissions: PLANNER_GRAPH_PERMISSIONS,
    });
    this.stateStorage.grantStateAccess(this.deployer.servicePrincipalObjectId, { id: 'DeployerStateAccess' });
    this.stateStorage.grantStateAccess(this.planner.servicePrincipalObjectId, { id: 'PlannerStateAccess' });

    const groups = new Map<string, ResourceGroup>();
    const registries = new Set<string>();
    const runnerNetworks = new Set<string>();
    const workspaces = new Set<string>();
    for (const env of environments) {
      const scoped = new Construct(this, env.name);
      // Environments may live in other subscriptions than the state: one provider per environment.
      const provider = new AzurermProvider(scoped, 'azurerm', {
        alias: env.name,
        features: [{}],
        subscriptionId: env.subscriptionId,
        tenantId: env.tenantId,
      });
      const group = new ResourceGroup(scoped, 'ResourceGroup', {
        provider,
        name: env.resourceGroupName,
        location: env.location,
        tags: { ...env.tags },
      });
      groups.set(env.name, group);
      this.deployer.assignAzureRole(`Contributor-${env.name}`, { role: 'Contributor', scope: group.id });
      this.deployer.assignAzureRole(`RoleAdministrator-${env.name}`, {
        role: 'Role Based Access Control Administrator',
        scope: group.id,
        assignableRoles: ['Key Vault Secrets Officer', 'Key Vault Secrets User'],
      });
      this.planner.assignAzureRole(`Reader-${env.name}`, { role: 'Reader', scope: group.id });
      this.planner.assignAzureRole(`SecretsUser-${env.name}`, { role: 'Key Vault Secrets User', scope: group.id });

      const registry = registryOf(env);
      if (registry && !registries.has(registry.id)) {
        registries.add(registry.id);
        if (registry.pushed)
          this.deployer.assignAzureRole(`AcrPush-${env.name}`, { role: 'AcrPush', scope: registry.id });
        this.deployer.assignAzureRole(`RegistryRoleAdministrator-${env.name}`, {
          role: 'Role Based Access Control Administrator',
          scope: registry.id,
          assignableRoles: ['AcrPull'],
        });
        this.planner.assignAzureRole(`RegistryReader-${env.name}`, { role: 'Reader', scope: registry.id });
        this.planner.assignAzureRole(`AcrPull-${env.name}`, { role: 'AcrPull', scope: registry.id });
      }

      const access = env.keyVaultNetwork.deployerAccess;
      const runnerNetwork = access.kind === 'privateNetwork' ? access.virtualNetworkId : undefined;
      if (runnerNetwork && !runnerNetworks.has(runnerNetwork)) {
        runnerNetworks.add(runnerNetwork);
        this.deployer.assignAzureRole(`RunnerNetwork-${env.name}`, {
          role: 'Network Contributor',
          scope: runnerNetwork,
        });
        this.planner.assignAzureRole(`RunnerNetworkReader-${env.name}`, { role: 'Reader', scope: runnerNetwork });
      }

      const workspace = env.logAnalyticsWorkspaceId;
      if (workspace && !workspaces.has(workspace)) {
        workspaces.add(workspace);
        // Key Vault diagnostics and the Container Apps environment's logs are sent there (its shared key is read).
        this.deployer.assignAzureRole(`Workspace-${env.name}`, { role: 'Log Analytics Contributor', scope: workspace });
        this.planner.assignAzureRole(`WorkspaceReader-${env.name}`, { role: 'Reader', scope: workspace });
      }
    }
    this.resourceGroups = groups;

    new TerraformOutput(this, 'deployer_client_id', {
      value: this.deployer.applicationClientId,
      description: 'AZURE_DEPLOY_CLIENT_ID of each GitHub environment',
    });
    new TerraformOutput(this, 'planner_client_id', {
      value: this.planner.applicationClientId,
      description: 'AZURE_PLAN_CLIENT_ID of the repository',
    });
    new TerraformOutput(this, 'tenant_id', { value: settings.tenantId, description: 'AZURE_TENANT_ID' });
    new TerraformOutput(this, 'state_storage_account_name', {
      value: this.stateStorage.storageAccountName,
      description: 'Storage account of every environment backend',
    });
    new TerraformOutput(this, 'state_container_name', {
      value: this.stateStorage.containerName,
      description: 'Container of every environment backend',
    });
  }
}

/**
 * Refuses settings bootstrap cannot serve: a repository that is not `owner/name`, placeholders outside a sample, an
 * environment in another tenant (both identities live in this one), or an environment whose backend is not the state
 * storage bootstrap creates.
 */
function checkBootstrapSettings(
  scope: Construct,
  settings: BootstrapSettings,
  environments: readonly EnvironmentSettings[],
): void {
  if (typeof settings.repository !== 'string' || !REPOSITORY.test(settings.repository)) {
    throw new ValidationError(scope, 'repository', 'a GitHub repository "owner/name"', settings.repository);
  }
  if (settings.example !== true) {
    for (const field of ['tenantId', 'subscriptionId'] as const) {
      if (isPlaceholderGuid(settings[field])) {
        const allowed = 'your own GUID, not a placeholder (remove placeholders, or mark a sample with example: true)';
        throw new ValidationError(scope, field, allowed, settings[field]);
      }
    }
  }
  const state = settings.stateStorage;
  for (const env of environments) {
    if (env.tenantId !== settings.tenantId) {
      throw new ValidationError(
        scope,
        `environments[${env.name}].tenantId`,
        `the bootstrap tenant ${settings.tenantId}`,
        env.tenantId,
      );
    }
    if (env.backend.key === BOOTSTRAP_STATE_KEY) {
      const allowed = `a key other than ${JSON.stringify(BOOTSTRAP_STATE_KEY)}, which holds the bootstrap state`;
      throw new ValidationError(scope, `environments[${env.name}].backend.key`, allowed, env.backend.key);
    }
    const expected = {
      subscriptionId: settings.subscriptionId,
      resourceGroupName: state.resourceGroupName,
      storageAccountName: state.storageAccountName,
      containerName: state.containerName,
    };
    for (const [field, value] of Object.entries(expected)) {
      const actual = env.backend[field as keyof typeof expected];
      if (actual !== value) {
        const allowed = `${JSON.stringify(value)}, the state storage bootstrap creates (build it with stateBackend(key))`;
        throw new ValidationError(scope, `environments[${env.name}].backend.${field}`, allowed, actual);
      }
    }
  }
}
