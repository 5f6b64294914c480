import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider/index.js';
import { DataAzurermResourceGroup } from '@cdktf/provider-azurerm/lib/data-azurerm-resource-group/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { TimeProvider } from '@cdktf/provider-time/lib/provider/index.js';
import { AuthPlatform } from '@gatehouse/constructs/auth-platform';
import type { RuntimeImageOptions } from '@gatehouse/constructs/auth-runtime';
import { GatehousePolicy } from '@gatehouse/constructs/core';
import { Aspects, AzurermBackend, TerraformOutput, TerraformStack, TerraformVariable } from 'cdktf';
import type { Construct } from 'constructs';
import { checkDeployerPath, checkNoPlaceholders } from './environment-checks.js';
import type { EnvironmentSettings, RuntimeImageSettings } from './environments.js';

/** The stable application name; app-role ids derive from it, so it is the same in every environment. */
export const APPLICATION_NAME = 'gatehouse';

/** The Terraform variable `npm run deploy` sets (`TF_VAR_runtime_image_digest`) to the digest it pushed. */
export const RUNTIME_IMAGE_DIGEST_VARIABLE = 'runtime_image_digest';

/** Repository of the runtime image in an environment's registry, unless the environment names another. */
export const DEFAULT_RUNTIME_REPOSITORY = 'gatehouse-runtime';

/**
 * One environment: providers, state backend, the policy aspect, its resource group (created by the `bootstrap` stack,
 * read here) and one `AuthPlatform` (Key Vault,
 * Entra app registration and clients, the runtime's network, the runtime on Container Apps with its database). Every difference between
 * environments comes from `settings`.
 */
export class GatehouseStack extends TerraformStack {
  readonly settings: EnvironmentSettings;
  readonly resourceGroup: DataAzurermResourceGroup;
  readonly platform: AuthPlatform;

  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, settings.name);
    this.settings = settings;
    checkDeployerPath(this, settings);
    checkNoPlaceholders(this, settings);
    new AzurermProvider(this, 'azurerm', {
      features: [{}],
      subscriptionId: settings.subscriptionId,
      tenantId: settings.tenantId,
      storageUseAzuread: true,
      // Resource providers are registered once, outside the stack (docs/deploying.md): registering or listing them
      // needs rights on the whole subscription, and the deployer's roles are scoped to the resource group.
      resourceProviderRegistrations: 'none',
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
      subscriptionId: settings.backend.subscriptionId,
    });
    Aspects.of(this).add(new GatehousePolicy());

    // Created by the bootstrap stack, so the deployer needs no right to create resource groups in the subscription.
    this.resourceGroup = new DataAzurermResourceGroup(this, 'ResourceGroup', { name: settings.resourceGroupName });
    const { runtime } = settings;
    this.platform = new AuthPlatform(this, 'Platform', {
      name: runtime.name,
      resourceGroupName: this.resourceGroup.name,
      location: settings.location,
      tenantId: settings.tenantId,
      applicationName: APPLICATION_NAME,
      applicationNameSuffix: settings.name,
      keyVault: {
        name: settings.keyVaultName,
        deployerAccess: settings.keyVaultNetwork.deployerAccess,
        allowedIpRanges: settings.keyVaultNetwork.allowedIpRanges,
        allowedSubnetIds: settings.keyVaultNetwork.allowedSubnetIds,
        logAnalyticsWorkspaceId: settings.logAnalyticsWorkspaceId,
        rbacPropagationDelaySeconds: settings.rbacPropagationDelaySeconds,
      },
      additionalOrigins: settings.redirectOrigins,
      loopbackRedirectsAllowed: settings.loopbackRedirectsAllowed,
      runtimeCredential: runtime.credential,
      clients: settings.clients,
      retiredPermissionValues: settings.retiredPermissionValues,
      network: runtime.network,
      runtime: {
        image: this.imageOptions(runtime.image),
        cpu: runtime.cpu,
        memory: runtime.memory,
        minReplicas: runtime.minReplicas,
        maxReplicas: runtime.maxReplicas,
        zoneRedundancyEnabled: runtime.zoneRedundancyEnabled,
        logAnalyticsWorkspaceId: settings.logAnalyticsWorkspaceId,
        database: runtime.database,
        rbacPropagationDelaySeconds: settings.rbacPropagationDelaySeconds,
        redis: runtime.redis,
      },
      tags: settings.tags,
    });

    const { api, keyVault } = this.platform;
    new TerraformOutput(this, 'runtime_url', { value: this.platform.runtimeUrl, description: 'The auth runtime URL' });
    new TerraformOutput(this, 'jwks_url', {
      value: this.platform.jwksUrl,
      description: 'Public signing keys of the runtime (verify its access tokens locally)',
    });
    new TerraformOutput(this, 'api_client_id', {
      value: api.applicationClientId,
      description: 'Client id of the API app registration (the runtime OIDC client_id)',
    });
    new TerraformOutput(this, 'api_identifier_uri', {
      value: api.identifierUri,
      description: 'Identifier URI of the API (request Entra tokens for <uri>/.default)',
    });
    new TerraformOutput(this, 'client_ids', {
      value: Object.fromEntries([...this.platform.clients].map(([id, client]) => [id, client.applicationClientId])),
      description: 'Client ids of the service clients (their secrets are in the Key Vault)',
    });
    new TerraformOutput(this, 'key_vault_uri', { value: keyVault.keyVaultUri, description: 'Key Vault URI' });
    new TerraformOutput(this, 'tenant_id', { value: settings.tenantId, description: 'Entra tenant id' });
  }

  /**
   * A registry image is pinned by the digest `npm run deploy` pushed, passed in as a variable: the JSON holds no
   * machine path and no digest, a plan needs no Docker daemon, and the app rolls only when a deploy passes a new one.
   */
  private imageOptions(image: RuntimeImageSettings): RuntimeImageOptions {
    if (image.kind === 'prebuilt') return { kind: 'prebuilt', reference: image.reference, registry: image.registry };
    const digest = new TerraformVariable(this, RUNTIME_IMAGE_DIGEST_VARIABLE, {
      type: 'string',
      nullable: false,
      description: 'Digest (sha256:<64 hex>) of the runtime image in the registry; npm run deploy sets it',
      validation: [
        {
          condition: `\${can(regex("^sha256:[0-9a-f]{64}$", var.${RUNTIME_IMAGE_DIGEST_VARIABLE}))}`,
          errorMessage:
            'runtime_image_digest must be sha256:<64 lower-case hex digits>, the digest npm run deploy pushed.',
        },
      ],
    });
    const repository = image.repository ?? DEFAULT_RUNTIME_REPOSITORY;
    return {
      kind: 'prebuilt',
      reference: `${image.loginServer}/${repository}@${digest.stringValue}`,
      registry: { id: image.registryId, loginServer: image.loginServer },
    };
  }
}
