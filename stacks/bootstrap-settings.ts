/**
 * What the `bootstrap` stack creates once, before any environment: the Terraform state storage every environment's
 * backend points at, and the deployer and planner identities the pipeline signs in as. Every environment's `backend`
 * is derived from `stateStorage` here (`stateBackend`), so the names have one source.
 *
 * The sample below is a PLACEHOLDER (`example: true`): replace the tenant, subscription, repository and storage
 * account name with your own and remove `example`.
 */

/** The storage account and container holding every environment's state. */
export interface StateStorageSettings {
  /** Resource group created for the state storage. */
  readonly resourceGroupName: string;
  /** Globally unique storage account name (3-24 lower-case letters and digits). */
  readonly storageAccountName: string;
  readonly containerName: string;
  /** Days a deleted or overwritten state blob can be restored. Omit for 30. */
  readonly blobSoftDeleteRetentionDays?: number;
  /** Days a deleted state container can be restored. Omit for 30. */
  readonly containerSoftDeleteRetentionDays?: number;
}

export interface BootstrapSettings {
  /** The entry is a sample whose tenant, subscription and repository may be placeholders. */
  readonly example?: boolean;
  /** Entra tenant of every environment and of both identities (GUID). */
  readonly tenantId: string;
  /** Subscription the state storage lives in (GUID); environments may live in others. */
  readonly subscriptionId: string;
  /** Region of the state storage. */
  readonly location: string;
  /** The GitHub repository whose workflows deploy and plan, `owner/name`. */
  readonly repository: string;
  /** The branch whose workflow runs may sign in as the deployer (besides the GitHub environments). */
  readonly deployBranch: string;
  /** Display names of the two applications. */
  readonly deployerDisplayName: string;
  readonly plannerDisplayName: string;
  readonly stateStorage: StateStorageSettings;
  /**
   * Keep bootstrap's own state in the state container (key `gatehouse/bootstrap.tfstate`) instead of the local file
   * `terraform.bootstrap.tfstate`. Set it after the first apply, then `terraform init -migrate-state`. Omit for local.
   */
  readonly stateInStorage?: boolean;
  /** Tags on every Azure resource bootstrap creates. */
  readonly tags: Readonly<Record<string, string>>;
}

export const bootstrap: BootstrapSettings = {
  example: true,
  tenantId: '11111111-1111-1111-1111-111111111111',
  subscriptionId: 'cccccccc-cccc-cccc-cccc-cccccccccccc',
  location: 'westeurope',
  repository: 'your-org/gatehouse',
  deployBranch: 'main',
  deployerDisplayName: 'gatehouse-deployer',
  plannerDisplayName: 'gatehouse-planner',
  stateStorage: {
    resourceGroupName: 'rg-gatehouse-tfstate',
    storageAccountName: 'stgatehousetfstate',
    containerName: 'tfstate',
  },
  tags: { product: 'gatehouse', purpose: 'bootstrap' },
};

/** An environment's azurerm backend: the bootstrap's state storage, one blob `key` per environment. */
export function stateBackend(key: string, settings: BootstrapSettings = bootstrap) {
  const { resourceGroupName, storageAccountName, containerName } = settings.stateStorage;
  return {
    subscriptionId: settings.subscriptionId,
    resourceGroupName,
    storageAccountName,
    containerName,
    key,
    useAzureadAuth: true,
  } as const;
}
