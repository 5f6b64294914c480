import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account/index.js';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container/index.js';
import { Construct } from 'constructs';
import { checkIntegerRange, checkPattern, nextChildId, ValidationError } from '../core/index.js';

/** Replication of the state account; every kind Azure offers for StorageV2. */
export type StateStorageReplication = 'LRS' | 'ZRS' | 'GRS' | 'RAGRS' | 'GZRS' | 'RAGZRS';
const REPLICATIONS: readonly StateStorageReplication[] = ['LRS', 'ZRS', 'GRS', 'RAGRS', 'GZRS', 'RAGZRS'];

/** The Azure role that reads, writes and leases blobs: what Terraform needs on its state container. */
export const STATE_ACCESS_ROLE = 'Storage Blob Data Contributor';

/** Options of `StateStorage.grantStateAccess`. */
export interface StateAccessOptions {
  /**
   * Child id of the assignment.
   * @default - `StateAccess1`, `StateAccess2`, ... in call order
   */
  readonly id?: string;
  /**
   * What the principal is (lets Azure skip the directory lookup that fails for a principal created moments before).
   * @default "ServicePrincipal"
   */
  readonly principalType?: 'ServicePrincipal' | 'User' | 'Group';
}

export interface StateStorageProps {
  /** Resource group the account is created in (it must exist, or be created in the same stack). */
  readonly resourceGroupName: string;
  /** Azure region. */
  readonly location: string;
  /** Globally unique storage account name: 3-24 lower-case letters and digits. */
  readonly storageAccountName: string;
  /**
   * Blob container holding the state files (3-63 lower-case letters, digits and single hyphens).
   * @default "tfstate"
   */
  readonly containerName?: string;
  /**
   * Days a deleted or overwritten state blob can be restored (blob soft delete), 1-365.
   * @default 30
   */
  readonly blobSoftDeleteRetentionDays?: number;
  /**
   * Days a deleted container can be restored (container soft delete), 1-365.
   * @default 30
   */
  readonly containerSoftDeleteRetentionDays?: number;
  /**
   * Encrypt twice, at the service and at the infrastructure layer. No extra charge; it can only be chosen when the
   * account is created (changing it replaces the account).
   * @default true
   */
  readonly infrastructureEncryptionEnabled?: boolean;
  /**
   * Replication of the account.
   * @default "GRS" (a copy in the paired region; state is small, so the cost is negligible)
   */
  readonly replicationType?: StateStorageReplication;
  /**
   * Tags on the account.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * Storage for Terraform state, reached with Entra ID only: a StorageV2 account with shared-key access off (no account
 * keys, no SAS), OAuth as the portal's default, TLS 1.2, no public blobs, blob versioning and soft delete for blobs
 * and containers, and one private container. The container is created through Azure Resource Manager
 * (`storage_account_id`), so creating it needs no data-plane access. Grant a principal the state with `grantStateAccess`.
 */
export class StateStorage extends Construct {
  readonly storageAccount: StorageAccount;
  readonly container: StorageContainer;
  readonly storageAccountName: string;
  readonly storageAccountId: string;
  readonly containerName: string;
  /** Resource Manager id of the container: the scope of state grants. */
  readonly containerResourceId: string;

  constructor(scope: Construct, id: string, props: StateStorageProps) {
    super(scope, id);
    checkPattern(
      this,
      'storageAccountName',
      props.storageAccountName,
      /^[a-z0-9]{3,24}$/,
      '3-24 lower-case letters and digits',
    );
    const containerName = props.containerName ?? 'tfstate';
    checkPattern(
      this,
      'containerName',
      containerName,
      /^(?=.{3,63}$)[a-z0-9]+(-[a-z0-9]+)*$/,
      '3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
    );
    const blobDays = props.blobSoftDeleteRetentionDays ?? 30;
    const containerDays = props.containerSoftDeleteRetentionDays ?? 30;
    checkIntegerRange(this, 'blobSoftDeleteRetentionDays', blobDays, 1, 365);
    checkIntegerRange(this, 'containerSoftDeleteRetentionDays', containerDays, 1, 365);
    const replicationType = props.replicationType ?? 'GRS';
    if (!REPLICATIONS.includes(replicationType)) {
      throw new ValidationError(this, 'replicationType', `one of ${REPLICATIONS.join(', ')}`, replicationType);
    }

    this.storageAccount = new StorageAccount(this, 'Resource', {
      name: props.storageAccountName,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: replicationType,
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      minTlsVersion: 'TLS1_2',
      httpsTrafficOnlyEnabled: true,
      allowNestedItemsToBePublic: false,
      crossTenantReplicationEnabled: false,
      infrastructureEncryptionEnabled: props.infrastructureEncryptionEnabled ?? true,
      localUserEnabled: false,
      sftpEnabled: false,
      blobProperties: {
        versioningEnabled: true,
        deleteRetentionPolicy: { days: blobDays },
        containerDeleteRetentionPolicy: { days: containerDays },
      },
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.container = new StorageContainer(this, 'Container', {
      name: containerName,
      storageAccountId: this.storageAccount.id,
      containerAccessType: 'private',
    });
    this.storageAccountName = props.storageAccountName;
    this.storageAccountId = this.storageAccount.id;
    this.containerName = containerName;
    // Created through Resource Manager (`storage_account_id`), so its id is the container's Resource Manager id; a grant
    // on it waits for the container to exist.
    this.containerResourceId = this.container.id;
  }

  /**
   * Lets `principalId` read, write and lease the state blobs (Storage Blob Data Contributor on the container, not the
   * account). Returns the assignment.
   */
  grantStateAccess(principalId: string, options: StateAccessOptions = {}): RoleAssignment {
    return new RoleAssignment(this, options.id ?? nextChildId(this, 'StateAccess'), {
      scope: this.containerResourceId,
      roleDefinitionName: STATE_ACCESS_ROLE,
      principalId,
      principalType: options.principalType ?? 'ServicePrincipal',
    });
  }
}
