/**
 * The environments gatehouse deploys, as data. A stack is built from each entry; nothing branches on the name.
 *
 * The tenant and subscription ids, storage account and Key Vault names below are PLACEHOLDERS (all-repeating
 * GUIDs, `example` names): replace them with your own before `cdktf deploy`. Synthesis works with them as is.
 */

/** Where Terraform keeps state: an Azure Storage blob, reached with Entra ID auth (no storage keys). */
export interface StateBackendSettings {
  readonly resourceGroupName: string;
  readonly storageAccountName: string;
  readonly containerName: string;
  /** Blob name; one per environment so environments never share state. */
  readonly key: string;
  /** Authenticate to the blob with Entra ID instead of an account key. Always true in gatehouse. */
  readonly useAzureadAuth: true;
}

/** Who may reach the Key Vault over the public endpoint; both empty = public network access off. */
export interface KeyVaultNetworkSettings {
  /** IPv4 addresses or CIDR ranges, e.g. the deployment runner's egress. */
  readonly allowedIpRanges: readonly string[];
  /** Subnet ids with the `Microsoft.KeyVault` service endpoint. */
  readonly allowedSubnetIds: readonly string[];
}

export interface EnvironmentSettings {
  /** Short name, used in resource names and as the stack name (`cdktf deploy <name>`). */
  readonly name: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Entra tenant id (GUID). */
  readonly tenantId: string;
  /** Azure subscription id (GUID) the environment's resources live in. */
  readonly subscriptionId: string;
  /** Resource group created for the environment. */
  readonly resourceGroupName: string;
  /** Globally unique Key Vault name (3-24 letters, digits, hyphens). */
  readonly keyVaultName: string;
  /** Key Vault firewall. */
  readonly keyVaultNetwork: KeyVaultNetworkSettings;
  /** Log Analytics workspace for Key Vault diagnostics; omit for none. */
  readonly logAnalyticsWorkspaceId?: string;
  /** Origins the runtime is served from; each gets `<origin>/auth/callback` as an Entra redirect URI. */
  readonly redirectOrigins: readonly string[];
  /** Allow `http://localhost` / `http://127.0.0.1` origins (local development against this environment). */
  readonly loopbackRedirectsAllowed: boolean;
  /** Terraform state backend. */
  readonly backend: StateBackendSettings;
  /** Tags applied to every Azure resource of the environment. */
  readonly tags: Readonly<Record<string, string>>;
}

/** Placeholder state storage shared by all environments (one blob key each). Replace with your own. */
const stateStorage = {
  resourceGroupName: 'rg-gatehouse-tfstate',
  storageAccountName: 'stgatehousetfstate',
  containerName: 'tfstate',
  useAzureadAuth: true,
} as const;

/** Placeholder tenant: replace with your Entra tenant id. */
const PLACEHOLDER_TENANT_ID = '11111111-1111-1111-1111-111111111111';

export const environments: readonly EnvironmentSettings[] = [
  {
    name: 'dev',
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'dddddddd-dddd-dddd-dddd-dddddddddddd',
    resourceGroupName: 'rg-gatehouse-dev',
    keyVaultName: 'kv-gatehouse-dev-ex',
    // TEST-NET-3 (RFC 5737) placeholder: the range your deployments run from.
    keyVaultNetwork: { allowedIpRanges: ['203.0.113.0/24'], allowedSubnetIds: [] },
    redirectOrigins: ['https://gatehouse-dev.example.com', 'http://localhost:3000'],
    loopbackRedirectsAllowed: true,
    backend: { ...stateStorage, key: 'gatehouse/dev.tfstate' },
    tags: { environment: 'dev', product: 'gatehouse' },
  },
  {
    name: 'staging',
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee',
    resourceGroupName: 'rg-gatehouse-staging',
    keyVaultName: 'kv-gatehouse-stg-ex',
    keyVaultNetwork: { allowedIpRanges: ['203.0.113.0/24'], allowedSubnetIds: [] },
    redirectOrigins: ['https://gatehouse-staging.example.com'],
    loopbackRedirectsAllowed: false,
    backend: { ...stateStorage, key: 'gatehouse/staging.tfstate' },
    tags: { environment: 'staging', product: 'gatehouse' },
  },
  {
    name: 'prod',
    location: 'westeurope',
    tenantId: PLACEHOLDER_TENANT_ID,
    subscriptionId: 'ffffffff-ffff-ffff-ffff-ffffffffffff',
    resourceGroupName: 'rg-gatehouse-prod',
    keyVaultName: 'kv-gatehouse-prod-ex',
    // No public access: deploy from a network with a private endpoint to the vault.
    keyVaultNetwork: { allowedIpRanges: [], allowedSubnetIds: [] },
    redirectOrigins: ['https://gatehouse.example.com'],
    loopbackRedirectsAllowed: false,
    backend: { ...stateStorage, key: 'gatehouse/prod.tfstate' },
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
