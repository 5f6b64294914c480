import { describe, expect, it } from 'vitest';
import { StateStorage, type StateStorageProps } from '../../constructs/state-storage/index.js';
import { ref, single, synthJson } from './synth-helpers.js';

const base: StateStorageProps = {
  resourceGroupName: 'rg-tfstate',
  location: 'westeurope',
  storageAccountName: 'sttfstate',
};

describe('StateStorage', () => {
  it('creates an Entra-only account with versioning, soft delete and a private container', () => {
    const json = synthJson((scope) => {
      new StateStorage(scope, 'State', base);
    });
    expect(single(json, 'azurerm_storage_account')).toEqual({
      name: 'sttfstate',
      resource_group_name: 'rg-tfstate',
      location: 'westeurope',
      account_kind: 'StorageV2',
      account_tier: 'Standard',
      account_replication_type: 'GRS',
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      min_tls_version: 'TLS1_2',
      https_traffic_only_enabled: true,
      allow_nested_items_to_be_public: false,
      cross_tenant_replication_enabled: false,
      infrastructure_encryption_enabled: true,
      local_user_enabled: false,
      sftp_enabled: false,
      blob_properties: {
        versioning_enabled: true,
        delete_retention_policy: { days: 30 },
        container_delete_retention_policy: { days: 30 },
      },
    });
    expect(single(json, 'azurerm_storage_container')).toEqual({
      name: 'tfstate',
      storage_account_id: ref('azurerm_storage_account', 'id'),
      container_access_type: 'private',
    });
    expect(json.resource.azurerm_role_assignment).toBeUndefined();
  });

  it('takes the container name, retention days, replication, infrastructure encryption and tags', () => {
    const json = synthJson((scope) => {
      new StateStorage(scope, 'State', {
        ...base,
        containerName: 'state-files',
        blobSoftDeleteRetentionDays: 90,
        containerSoftDeleteRetentionDays: 7,
        replicationType: 'ZRS',
        infrastructureEncryptionEnabled: false,
        tags: { product: 'gatehouse' },
      });
    });
    expect(single(json, 'azurerm_storage_account')).toMatchObject({
      account_replication_type: 'ZRS',
      infrastructure_encryption_enabled: false,
      blob_properties: { delete_retention_policy: { days: 90 }, container_delete_retention_policy: { days: 7 } },
      tags: { product: 'gatehouse' },
    });
    expect(single(json, 'azurerm_storage_container')).toMatchObject({ name: 'state-files' });
  });

  it('grants Storage Blob Data Contributor on the container, not the account', () => {
    const json = synthJson((scope) => {
      const state = new StateStorage(scope, 'State', base);
      state.grantStateAccess('00000000-0000-0000-0000-0000000000aa');
      state.grantStateAccess('00000000-0000-0000-0000-0000000000bb', { id: 'Operator', principalType: 'User' });
    });
    const assignments = Object.entries(json.resource.azurerm_role_assignment ?? {});
    expect(assignments.map(([id]) => id)).toEqual([
      expect.stringMatching(/^State_Operator_/),
      expect.stringMatching(/^State_StateAccess1_/),
    ]);
    const [operator, first] = assignments.map(([, block]) => block);
    expect(first).toEqual({
      scope: ref('azurerm_storage_container', 'id'),
      role_definition_name: 'Storage Blob Data Contributor',
      principal_id: '00000000-0000-0000-0000-0000000000aa',
      principal_type: 'ServicePrincipal',
    });
    expect(operator).toMatchObject({ principal_type: 'User' });
  });

  it.each([
    [
      'the account name has upper-case letters',
      { storageAccountName: 'StTfState' },
      'storageAccountName must be 3-24 lower-case letters and digits; got "StTfState"',
    ],
    [
      'the container name has a double hyphen',
      { containerName: 'tf--state' },
      'containerName must be 3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit; got "tf--state"',
    ],
    [
      'blob retention is 0 days',
      { blobSoftDeleteRetentionDays: 0 },
      'blobSoftDeleteRetentionDays must be an integer from 1 to 365; got 0',
    ],
    [
      'container retention is over a year',
      { containerSoftDeleteRetentionDays: 366 },
      'containerSoftDeleteRetentionDays must be an integer from 1 to 365; got 366',
    ],
    [
      'the replication is unknown',
      { replicationType: 'XRS' },
      'replicationType must be one of LRS, ZRS, GRS, RAGRS, GZRS, RAGZRS; got "XRS"',
    ],
  ])('fails when %s', (_, change, message) => {
    expect(() =>
      synthJson((scope) => {
        new StateStorage(scope, 'State', { ...base, ...(change as Partial<StateStorageProps>) });
      }),
    ).toThrow(`State: ${message}`);
  });
});
