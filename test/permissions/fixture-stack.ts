import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment/index.js';
import { Application } from '@cdktf/provider-azuread/lib/application/index.js';
import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential/index.js';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider/index.js';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal/index.js';
import { ContainerRegistry } from '@cdktf/provider-azurerm/lib/container-registry/index.js';
import { ContainerRegistryScopeMap } from '@cdktf/provider-azurerm/lib/container-registry-scope-map/index.js';
import { ContainerRegistryToken } from '@cdktf/provider-azurerm/lib/container-registry-token/index.js';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config/index.js';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { TerraformStack, Testing } from 'cdktf';
import { Construct } from 'constructs';
import type { SynthesizedStack } from '../../tools/permissions/synthesized-stack.js';

/** What varies between the two versions of the fixture stack a test compares. */
export interface FixtureOptions {
  /** Scopes granted to the `reporting` client app. */
  readonly clientScopes: readonly string[];
  /** Catalog roles assigned to the analysts group (a literal object id). */
  readonly groupRoles: readonly string[];
  /** Azure role of the runtime identity on the vault. */
  readonly runtimeVaultRole: string;
  /** Trust the runtime identity and a CI pipeline as federated credentials of the API app. @default false */
  readonly federatedCredentials?: boolean;
  /** A registry token allowed to push one repository. @default false */
  readonly registryPushToken?: boolean;
  /** Construct path of the vault and of the runtime (a rename or a move changes only paths). @default none */
  readonly parentPath?: string;
}

/** The construct under which `id` sits: the stack, or nested scopes named by `parentPath` (`a/b`). */
function scopeFor(stack: Construct, parentPath: string | undefined): Construct {
  let scope = stack;
  for (const id of (parentPath ?? '').split('/').filter(Boolean)) {
    scope = (scope.node.tryFindChild(id) as Construct | undefined) ?? new Construct(scope, id);
  }
  return scope;
}

const SCOPES = ['investigations:read', 'investigations:write', 'incidents:read', 'search:read'];
const ROLES = ['admin', 'analyst'];
const GROUP_OBJECT_ID = '00000000-0000-4000-8000-0000000000aa';

function appRoleId(value: string): string {
  const index = [...SCOPES, ...ROLES].indexOf(value);
  return `10000000-0000-4000-8000-${String(index).padStart(12, '0')}`;
}

/** A small stack shaped like the platform: an API app, a client app, a group, a runtime identity and a vault. */
export function synthesizeFixture(options: FixtureOptions): SynthesizedStack {
  const app = Testing.app();
  const stack = new TerraformStack(app, 'dev');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AzureadProvider(stack, 'azuread', {});

  const apiScope = new Construct(stack, 'api');
  const api = new Application(apiScope, 'Resource', {
    displayName: 'gatehouse-api-dev',
    appRole: [
      ...SCOPES.map((value) => ({
        id: appRoleId(value),
        value,
        allowedMemberTypes: ['Application'],
        description: value,
        displayName: value,
        enabled: true,
      })),
      ...ROLES.map((value) => ({
        id: appRoleId(value),
        value,
        allowedMemberTypes: ['User'],
        description: value,
        displayName: value,
        enabled: true,
      })),
    ],
  });
  const apiPrincipal = new ServicePrincipal(apiScope, 'ServicePrincipal', {
    clientId: api.clientId,
    appRoleAssignmentRequired: true,
  });

  const clientScope = new Construct(stack, 'reporting');
  const client = new Application(clientScope, 'Resource', { displayName: 'reporting' });
  const clientPrincipal = new ServicePrincipal(clientScope, 'ServicePrincipal', { clientId: client.clientId });
  for (const scope of options.clientScopes) {
    new AppRoleAssignment(clientScope, `Grant-${scope.replace(':', '-')}`, {
      appRoleId: appRoleId(scope),
      principalObjectId: clientPrincipal.objectId,
      resourceObjectId: apiPrincipal.objectId,
    });
  }
  for (const role of options.groupRoles) {
    // Exercise the reference form as well as the literal UUID form.
    new AppRoleAssignment(apiScope, `Assign-${role}`, {
      appRoleId: api.appRoleIds.lookup(role),
      principalObjectId: GROUP_OBJECT_ID,
      resourceObjectId: apiPrincipal.objectId,
    });
  }

  const deployer = new DataAzurermClientConfig(stack, 'ClientConfig', {});
  const vaultScope = new Construct(scopeFor(stack, options.parentPath), 'vault');
  const vault = new KeyVault(vaultScope, 'Resource', {
    name: 'gh-dev-kv',
    location: 'westeurope',
    resourceGroupName: 'rg',
    tenantId: deployer.tenantId,
    skuName: 'standard',
    rbacAuthorizationEnabled: true,
    purgeProtectionEnabled: true,
  });
  new RoleAssignment(vaultScope, 'DeployerSecretsOfficer', {
    scope: vault.id,
    roleDefinitionName: 'Key Vault Secrets Officer',
    principalId: deployer.objectId,
  });
  const runtimeScope = new Construct(scopeFor(stack, options.parentPath), 'runtime');
  const identity = new UserAssignedIdentity(runtimeScope, 'Identity', {
    name: 'gh-runtime',
    location: 'westeurope',
    resourceGroupName: 'rg',
  });
  new RoleAssignment(runtimeScope, 'VaultAccess', {
    scope: vault.id,
    roleDefinitionName: options.runtimeVaultRole,
    principalId: identity.principalId,
  });

  if (options.federatedCredentials) {
    new ApplicationFederatedIdentityCredential(apiScope, 'RuntimeFederated', {
      applicationId: api.id,
      displayName: 'runtime',
      audiences: ['api://AzureADTokenExchange'],
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      subject: identity.principalId,
    });
    new ApplicationFederatedIdentityCredential(apiScope, 'PipelineFederated', {
      applicationId: api.id,
      displayName: 'pipeline',
      audiences: ['api://AzureADTokenExchange'],
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'repo:acme/app:ref:refs/heads/main',
    });
  }
  if (options.registryPushToken) {
    const registryScope = new Construct(stack, 'registry');
    const registry = new ContainerRegistry(registryScope, 'Resource', {
      name: 'ghdevacr',
      location: 'westeurope',
      resourceGroupName: 'rg',
      sku: 'Basic',
    });
    const scopeMap = new ContainerRegistryScopeMap(registryScope, 'PushScope', {
      name: 'push',
      containerRegistryName: registry.name,
      resourceGroupName: 'rg',
      actions: ['repositories/runtime/content/read', 'repositories/runtime/content/write'],
    });
    new ContainerRegistryToken(registryScope, 'PushToken', {
      name: 'push',
      containerRegistryName: registry.name,
      resourceGroupName: 'rg',
      scopeMapId: scopeMap.id,
    });
  }

  const outdir = Testing.fullSynth(stack);
  return JSON.parse(readFileSync(join(outdir, 'stacks', 'dev', 'cdk.tf.json'), 'utf8'));
}

export const GROUP_PRINCIPAL = `object:${GROUP_OBJECT_ID}`;
