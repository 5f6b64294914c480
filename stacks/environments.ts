/**
 * The environments gatehouse deploys, as data. A stack is built from each entry; nothing branches on the name.
 *
 * Every entry below is a sample (`example: true`): the tenant and subscription ids, the deploy runner's IP ranges and
 * network, Key Vault and container registry names and ids are PLACEHOLDERS. Replace them with your own and remove
 * `example`: without it, a placeholder fails synthesis, naming the environment and the field. The state backend comes
 * from `stacks/bootstrap-settings.ts` (`stateBackend`), whose placeholders are replaced there.
 */

import { stateBackend } from './bootstrap-settings.js';

/**
 * Where Terraform keeps state: an Azure Storage blob, reached with Entra ID auth (no storage keys). The `bootstrap`
 * stack creates the account and container; build it with `stateBackend(key)` so the names come from there.
 */
export interface StateBackendSettings {
  /** Subscription of the state storage account. */
  readonly subscriptionId: string;
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /** Blob name; one per environment so environments never share state. */
  readonly key: string;
  /** Authenticate to the blob with Entra ID instead of an account key. Always true in gatehouse. */
  readonly useAzureadAuth: true;
}

/**
 * How the machine running `cdktf deploy` reaches the Key Vault to write secrets. The vault's firewall refuses
 * everyone else, so there is no default: an environment without one fails synthesis.
 */
export type DeployerAccessSettings =
  /** The public endpoint, admitted from these IPv4 addresses or CIDR ranges: the deploy runner's egress. */
  | { readonly kind: 'ipRanges'; readonly ipRanges: readonly string[] }
  /**
   * From inside the network, through the vault's private endpoint. With `virtualNetworkId` (the runner's network, same
   * subscription, an address space apart from the runtime's), the stack peers it with the runtime's network and
   * links the private DNS zones to it; without, the runner must already reach the runtime's network and resolve them.
   */
  | { readonly kind: 'privateNetwork'; readonly virtualNetworkId?: string };

/** Who may reach the Key Vault. The runtime always reaches it through a private endpoint in its own network. */
export interface KeyVaultNetworkSettings {
  /** The deploy machine's path to the vault. */
  readonly deployerAccess: DeployerAccessSettings;
  /** Further IPv4 addresses or CIDR ranges the firewall admits (operators' workstations). */
  readonly allowedIpRanges: readonly string[];
  /** Subnet ids with the `Microsoft.KeyVault` service endpoint that the firewall admits. */
  readonly allowedSubnetIds: readonly string[];
}

/**
 * Where the runtime image comes from. Terraform never builds or pushes it: `npm run deploy -- <env>` builds it, pushes
 * it and passes its digest in as the variable `runtime_image_digest`.
 */
export type RuntimeImageSettings =
  | {
      /** Built from `runtime/` by `npm run deploy` and pushed to this existing Azure Container Registry. */
      readonly kind: 'registry';
      /** Resource id of the registry (the runtime gets AcrPull on it; the deployer needs AcrPush). */
      readonly registryId: string;
      /** Its login server, `<name>.azurecr.io`. */
      readonly loginServer: string;
      /** Repository in the registry. Omit for `gatehouse-runtime`. */
      readonly repository?: string;
    }
  | {
      /** An image built elsewhere, pinned: `registry/name@sha256:<digest>` (or a tag). */
      readonly kind: 'prebuilt';
      readonly reference: string;
      /** The Azure Container Registry holding it (the runtime gets AcrPull there); omit for an anonymous pull. */
      readonly registry?: { readonly id: string; readonly loginServer: string };
    };

/** The PostgreSQL flexible server of an environment. */
export interface DatabaseSettings {
  /** Flexible server SKU; `B_` (burstable) cannot use high availability. */
  readonly skuName: string;
  /** Zone-redundant standby. */
  readonly highAvailabilityEnabled: boolean;
  /** Days of point-in-time backups, 7-35. */
  readonly backupRetentionDays: number;
  /** Copy backups to the paired region. */
  readonly geoRedundantBackupEnabled: boolean;
}

/** The auth runtime of an environment (Container App, its store, its cache). */
export interface RuntimeSettings {
  /** Base name of the runtime's resources (Container App, identity, database `<name>-pg`, ...). */
  readonly name: string;
  readonly image: RuntimeImageSettings;
  /** vCPU and memory per replica: one of Container Apps' pairs (0.25/0.5Gi ... 4/8Gi). */
  readonly cpu: number;
  readonly memory: string;
  /** Replica bounds; 0 as minimum lets the app scale to zero. */
  readonly minReplicas: number;
  readonly maxReplicas: number;
  /** Spread the Container Apps environment over availability zones. */
  readonly zoneRedundancyEnabled: boolean;
  /** Address space of the runtime's virtual network and its runtime, private-endpoint and database subnets. */
  readonly network: {
    readonly addressSpace: string;
    readonly runtimeSubnetPrefix: string;
    readonly privateEndpointSubnetPrefix: string;
    readonly databaseSubnetPrefix: string;
  };
  readonly database: DatabaseSettings;
  /** Azure Cache for Redis for rate limits shared across replicas; omit for none. */
  readonly redis?: { readonly skuName: 'Basic' | 'Standard' | 'Premium'; readonly capacity: number };
  /** `federated`: managed-identity assertion, no secret at all; `clientSecret`: rotated secret in Key Vault. */
  readonly credential: 'federated' | 'clientSecret';
}

/** A service client of the API: its own app registration, granted catalog scopes, secret in the vault. */
export interface ClientSettings {
  /** Construct id and display-name suffix, e.g. `Reporter`. */
  readonly id: string;
  readonly scopes: readonly string[];
}

export interface EnvironmentSettings {
  /** Short name, used in resource names and as the stack name (`cdktf deploy <name>`). */
  readonly name: string;
  /**
   * The entry is a sample: its values may be placeholders (documentation IP ranges, repeated-digit GUIDs, example
   * domains), which fail synthesis otherwise. Remove it once the values are your own.
   */
  readonly example?: boolean;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Entra tenant id (GUID). */
  readonly tenantId: string;
  /** Azure subscription id (GUID) the environment's resources live in. */
  readonly subscriptionId: string;
  /** The environment's resource group, created by the `bootstrap` stack (the deployer's roles are scoped to it). */
  readonly resourceGroupName: string;
  /** Globally unique Key Vault name (3-24 letters, digits, hyphens). */
  readonly keyVaultName: string;
  /** Key Vault firewall. */
  readonly keyVaultNetwork: KeyVaultNetworkSettings;
  /**
   * Seconds the first apply waits for new role assignments and the federated credential to propagate before the
   * first secret write and the first revision (once, on create). Omit for the documented window, 600.
   */
  readonly rbacPropagationDelaySeconds?: number;
  /** Log Analytics workspace for Key Vault diagnostics; omit for none. */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Origins besides the runtime's own URL (always added) that get `<origin>/auth/callback` as an Entra redirect URI
   * and may make cookie-authenticated requests: a custom domain, a local front end.
   */
  readonly redirectOrigins: readonly string[];
  /** Allow `http://localhost` / `http://127.0.0.1` origins (local development against this environment). */
  readonly loopbackRedirectsAllowed: boolean;
  /** Terraform state backend. */
  readonly backend: StateBackendSettings;
  /** The running auth runtime. */
  readonly runtime: RuntimeSettings;
  /** Service clients of the API. */
  readonly clients: readonly ClientSettings[];
  /**
   * Role or scope values removed from the catalog, still published disabled until the next deploy deletes them
   * (removing one is two deploys: list it here and deploy, then remove it from here and deploy). Omit for none.
   */
  readonly retiredPermissionValues?: readonly string[];
  /** Tags applied to every Azure resource of the environment. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Placeholder tenant: replace with your Entra tenant id. */
const PLACEHOLDER_TENANT_ID = '11111111-1111-1111-1111-111111111111';

export const environments: readonly EnvironmentSettings[] = [
  {
    name: 'dev',
    example: true,
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    resourceGroupName: 'rg-gatehouse-dev',
    keyVaultName: 'kv-gatehouse-dev-ex',
    // TEST-NET-3 (RFC 5737) placeholder: replace with the egress range your deployments run from.
    keyVaultNetwork: {
      deployerAccess: { kind: 'ipRanges', ipRanges: ['203.0.113.0/24'] },
      allowedIpRanges: [],
      allowedSubnetIds: [],
    },
    // A local front end signing in against dev; the runtime's own URL is always a redirect URI.
    redirectOrigins: ['http://localhost:3000'],
    loopbackRedirectsAllowed: true,
    backend: stateBackend('gatehouse/dev.tfstate'),
    // The smallest working set: smallest Container Apps size, scale to zero, burstable B1ms, no Redis.
    runtime: {
      name: 'gatehouse-dev',
      image: {
        kind: 'registry',
        registryId: `/subscriptions/dddddddd-dddd-dddd-dddd-dddddddddddd/resourceGroups/rg-gatehouse-dev-images/providers/Microsoft.ContainerRegistry/registries/crgatehousedevex`,
        loginServer: 'crgatehousedevex.azurecr.io',
      },
      cpu: 0.25,
      memory: '0.5Gi',
      minReplicas: 0,
      maxReplicas: 1,
      zoneRedundancyEnabled: false,
      network: {
        addressSpace: '10.40.0.0/16',
        runtimeSubnetPrefix: '10.40.0.0/23',
        privateEndpointSubnetPrefix: '10.40.2.0/24',
        databaseSubnetPrefix: '10.40.3.0/24',
      },
      database: {
        skuName: 'B_Standard_B1ms',
        highAvailabilityEnabled: false,
        backupRetentionDays: 7,
        geoRedundantBackupEnabled: false,
      },
      credential: 'federated',
    },
    clients: [{ id: 'Reporter', scopes: ['incidents:read', 'search:read'] }],
    tags: { environment: 'dev', product: 'gatehouse' },
  },
  {
    name: 'staging',
    example: true,
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee',
    resourceGroupName: 'rg-gatehouse-staging',
    keyVaultName: 'kv-gatehouse-stg-ex',
    keyVaultNetwork: {
      deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.0/24'] },
      allowedIpRanges: [],
      allowedSubnetIds: [],
    },
    redirectOrigins: [],
    loopbackRedirectsAllowed: false,
    backend: stateBackend('gatehouse/staging.tfstate'),
    runtime: {
      name: 'gatehouse-staging',
      image: {
        kind: 'registry',
        registryId: `/subscriptions/eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee/resourceGroups/rg-gatehouse-staging-images/providers/Microsoft.ContainerRegistry/registries/crgatehousestgex`,
        loginServer: 'crgatehousestgex.azurecr.io',
      },
      cpu: 0.5,
      memory: '1Gi',
      minReplicas: 1,
      maxReplicas: 3,
      zoneRedundancyEnabled: false,
      network: {
        addressSpace: '10.41.0.0/16',
        runtimeSubnetPrefix: '10.41.0.0/23',
        privateEndpointSubnetPrefix: '10.41.2.0/24',
        databaseSubnetPrefix: '10.41.3.0/24',
      },
      database: {
        skuName: 'B_Standard_B2s',
        highAvailabilityEnabled: false,
        backupRetentionDays: 14,
        geoRedundantBackupEnabled: false,
      },
      redis: { skuName: 'Basic', capacity: 0 },
      credential: 'federated',
    },
    clients: [{ id: 'Reporter', scopes: ['incidents:read', 'search:read'] }],
    tags: { environment: 'staging', product: 'gatehouse' },
  },
  {
    name: 'prod',
    example: true,
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    resourceGroupName: 'rg-gatehouse-prod',
    keyVaultName: 'kv-gatehouse-prod-ex',
    // No public access at all: the deploy runner's network is peered with the runtime's and resolves the vault's
    // private endpoint (placeholder id: replace with your runner network's).
    keyVaultNetwork: {
      deployerAccess: {
        kind: 'privateNetwork',
        virtualNetworkId:
          '/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-deploy-runners/providers/Microsoft.Network/virtualNetworks/vnet-deploy-runners',
      },
      allowedIpRanges: [],
      allowedSubnetIds: [],
    },
    redirectOrigins: [],
    loopbackRedirectsAllowed: false,
    backend: stateBackend('gatehouse/prod.tfstate'),
    // Scale-out: 2+ replicas over zones, a zone-redundant HA database with geo-redundant backups, shared Redis.
    runtime: {
      name: 'gatehouse-prod',
      image: {
        kind: 'registry',
        registryId: `/subscriptions/ffffffff-ffff-ffff-ffff-ffffffffffff/resourceGroups/rg-gatehouse-prod-images/providers/Microsoft.ContainerRegistry/registries/crgatehouseprodex`,
        loginServer: 'crgatehouseprodex.azurecr.io',
      },
      cpu: 1,
      memory: '2Gi',
      minReplicas: 2,
      maxReplicas: 10,
      zoneRedundancyEnabled: true,
      network: {
        addressSpace: '10.42.0.0/16',
        runtimeSubnetPrefix: '10.42.0.0/23',
        privateEndpointSubnetPrefix: '10.42.2.0/24',
        databaseSubnetPrefix: '10.42.3.0/24',
      },
      database: {
        skuName: 'GP_Standard_D2ds_v5',
        highAvailabilityEnabled: true,
        backupRetentionDays: 35,
        geoRedundantBackupEnabled: true,
      },
      redis: { skuName: 'Standard', capacity: 1 },
      credential: 'federated',
    },
    clients: [{ id: 'Reporter', scopes: ['incidents:read', 'search:read'] }],
    tags: { environment: 'prod', product: 'gatehouse' },
  },
];

/**
 * Checks the list as a whole: unique names and unique state keys (two environments sharing a state blob would
 * destroy each other's resources). Per-field rules are enforced by the constructs each field feeds.
 */
export function checkEnvironments(envs: readonly EnvironmentSettings[]): void {
  const names = new Set<string>();
  const keys = new Set<string>();
  for (const env of envs) {
    if (!/^[a-z][a-z0-9-]{0,19}$/.test(env.name)) {
      throw new Error(
        `environments: name must be 1-20 lower-case letters, digits or hyphens; got ${JSON.stringify(env.name)}`,
      );
    }
    if (names.has(env.name))
      throw new Error(`environments: name must be unique; got ${JSON.stringify(env.name)} twice`);
    const stateKey = `${env.backend.storageAccountName}/${env.backend.containerName}/${env.backend.key}`;
    if (keys.has(stateKey)) {
      throw new Error(
        `environments[${env.name}]: backend.key must be unique per environment; got ${JSON.stringify(env.backend.key)} again`,
      );
    }
    names.add(env.name);
    keys.add(stateKey);
  }
}
