import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { Aspects, AzurermBackend, TerraformOutput, TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import { AuthKeyVault } from '../constructs/auth-key-vault/index.js';
import { GatehousePolicy } from '../constructs/core/index.js';
import { EntraApiApplication } from '../constructs/entra-api-application/index.js';
import type { EnvironmentSettings } from './environments.js';

/** The stable application name; app-role ids derive from it, so it is the same in every environment. */
export const APPLICATION_NAME = 'gatehouse';

/**
 * One environment: providers, state backend, the policy aspect, a resource group, the Key Vault and the API's Entra
 * app registration (whose client secret goes to the vault). Later work (the runtime platform) builds on `api` and
 * `keyVault`. Every difference between environments comes from `settings`.
 */
export class GatehouseStack extends TerraformStack {
  readonly settings: EnvironmentSettings;
  readonly resourceGroup: ResourceGroup;
  readonly keyVault: AuthKeyVault;
  readonly api: EntraApiApplication;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, settings.name);
    this.settings = settings;
    new AzurermProvider(this, 'azurerm', {
      features: [{}],
      subscriptionId: settings.subscriptionId,
      tenantId: settings.tenantId,
      storageUseAzuread: true,
    });
    new AzureadProvider(this, 'azuread', { tenantId: settings.tenantId });
    new RandomProvider(this, 'random', {});
    new TimeProvider(this, 'time', {});
    new AzurermBackend(this, {
      resourceGroupName: settings.backend.resourceGroupName,
      storageAccountName: settings.backend.storageAccountName,
      containerName: settings.backend.containerName,
      key: settings.backend.key,
      useAzureadAuth: settings.backend.useAzureadAuth,
      tenantId: settings.tenantId,
      subscriptionId: settings.subscriptionId,
    });
    Aspects.of(this).add(new GatehousePolicy());

    this.resourceGroup = new ResourceGroup(this, 'ResourceGroup', {
      name: settings.resourceGroupName,
      location: settings.location,
      tags: { ...settings.tags },
    });
    this.keyVault = new AuthKeyVault(this, 'KeyVault', {
      name: settings.keyVaultName,
      resourceGroupName: this.resourceGroup.name,
      location: settings.location,
      tenantId: settings.tenantId,
      allowedIpRanges: settings.keyVaultNetwork.allowedIpRanges,
      allowedSubnetIds: settings.keyVaultNetwork.allowedSubnetIds,
      logAnalyticsWorkspaceId: settings.logAnalyticsWorkspaceId,
      tags: settings.tags,
    });
    this.api = new EntraApiApplication(this, 'Api', {
      applicationName: APPLICATION_NAME,
      nameSuffix: settings.name,
      redirectUris: settings.redirectOrigins.map((origin) => `${origin.replace(/\/+$/, '')}/auth/callback`),
      loopbackRedirectsAllowed: settings.loopbackRedirectsAllowed,
      credential: { kind: 'clientSecret', keyVault: this.keyVault },
    });

    new TerraformOutput(this, 'api_client_id', {
      value: this.api.applicationClientId,
      description: 'Client id of the API app registration (the runtime OIDC client_id)',
    });
    new TerraformOutput(this, 'api_identifier_uri', {
      value: this.api.identifierUri,
      description: 'Identifier URI (token audience) of the API',
    });
    new TerraformOutput(this, 'key_vault_uri', { value: this.keyVault.keyVaultUri, description: 'Key Vault URI' });
    new TerraformOutput(this, 'tenant_id', { value: settings.tenantId, description: 'Entra tenant id' });
  }
}
