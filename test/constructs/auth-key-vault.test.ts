import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AuthKeyVault, type AuthKeyVaultProps } from '../../constructs/auth-key-vault/index.js';
import { allOf, dep, ref, single, synthJson } from './synth-helpers.js';

const ENDPOINT = {
  subnetId: '/subscriptions/x/subnets/private-endpoints',
  privateDnsZoneId: '/subscriptions/x/privateDnsZones/privatelink.vaultcore.azure.net',
};

const base: AuthKeyVaultProps = {
  name: 'kv-gatehouse-test',
  resourceGroupName: 'rg-test',
  location: 'westeurope',
  deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
};

function vaultIn(scope: Construct, props: Partial<AuthKeyVaultProps> = {}): AuthKeyVault {
  return new AuthKeyVault(scope, 'Vault', { ...base, ...props });
}

describe('AuthKeyVault', () => {
  it('defaults to RBAC, purge protection, 90-day soft delete and no public access', () => {
    const json = synthJson((scope) => {
      vaultIn(scope, { deployerAccess: { kind: 'privateNetwork' }, privateEndpoint: ENDPOINT });
    });
    const vault = single(json, 'azurerm_key_vault');
    expect(vault).toMatchObject({
      name: 'kv-gatehouse-test',
      sku_name: 'standard',
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'AzureServices', ip_rules: [], virtual_network_subnet_ids: [] },
      tenant_id: ref('data.azurerm_client_config', 'tenant_id'),
    });
    expect(vault.access_policy).toBeUndefined();
    expect(allOf(json, 'azurerm_monitor_diagnostic_setting')).toHaveLength(0);
  });

  it('gives the deployer Secrets Officer and waits for RBAC propagation', () => {
    const json = synthJson((scope) => {
      vaultIn(scope);
    });
    expect(single(json, 'azurerm_role_assignment')).toMatchObject({
      role_definition_name: 'Key Vault Secrets Officer',
      principal_id: ref('data.azurerm_client_config', 'object_id'),
      scope: ref('azurerm_key_vault', 'id'),
    });
    // The documented window (up to 10 minutes), waited once, when the assignment is created: no triggers.
    expect(single(json, 'time_sleep')).toEqual({
      create_duration: '600s',
      depends_on: [dep('azurerm_role_assignment')],
    });
  });

  it('uses a given tenant and skips the deployer grant when told to', () => {
    const json = synthJson((scope) => {
      vaultIn(scope, { tenantId: '00000000-0000-0000-0000-000000000001', deployerSecretsOfficerEnabled: false });
    });
    expect(single(json, 'azurerm_key_vault').tenant_id).toBe('00000000-0000-0000-0000-000000000001');
    expect(json.data).toBeUndefined();
    expect(allOf(json, 'azurerm_role_assignment')).toHaveLength(0);
    expect(allOf(json, 'time_sleep')).toHaveLength(0);
  });

  it("opens the firewall only to the deployer's ranges, allowed IPs and subnets, default Deny", () => {
    const json = synthJson((scope) => {
      vaultIn(scope, { allowedIpRanges: ['203.0.113.0/24'], allowedSubnetIds: ['/subscriptions/x/subnets/runtime'] });
    });
    expect(single(json, 'azurerm_key_vault')).toMatchObject({
      public_network_access_enabled: true,
      network_acls: {
        default_action: 'Deny',
        bypass: 'AzureServices',
        ip_rules: ['198.51.100.7', '203.0.113.0/24'],
        virtual_network_subnet_ids: ['/subscriptions/x/subnets/runtime'],
      },
    });
    expect(allOf(json, 'azurerm_private_endpoint')).toHaveLength(0);
  });

  it('adds a private endpoint for the vault, and secret writes wait for it when the deployer comes that way', () => {
    const json = synthJson((scope) => {
      vaultIn(scope, { deployerAccess: { kind: 'privateNetwork' }, privateEndpoint: ENDPOINT }).addGeneratedSecret('s');
    });
    expect(single(json, 'azurerm_private_endpoint')).toMatchObject({
      name: 'kv-gatehouse-test-pe',
      subnet_id: ENDPOINT.subnetId,
      private_service_connection: {
        name: 'kv-gatehouse-test-vault',
        private_connection_resource_id: ref('azurerm_key_vault', 'id'),
        subresource_names: ['vault'],
        is_manual_connection: false,
      },
      private_dns_zone_group: { name: 'vault', private_dns_zone_ids: [ENDPOINT.privateDnsZoneId] },
    });
    expect(single(json, 'azurerm_key_vault_secret').depends_on).toEqual([
      dep('time_sleep'),
      dep('azurerm_private_endpoint'),
    ]);
  });

  it('sends audit logs and metrics to a Log Analytics workspace when one is given', () => {
    const json = synthJson((scope) => {
      vaultIn(scope, { logAnalyticsWorkspaceId: '/subscriptions/x/workspaces/logs' });
    });
    expect(single(json, 'azurerm_monitor_diagnostic_setting')).toMatchObject({
      log_analytics_workspace_id: '/subscriptions/x/workspaces/logs',
      target_resource_id: ref('azurerm_key_vault', 'id'),
      enabled_log: [{ category_group: 'audit' }, { category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
  });

  it('generates a secret from random_password with an expiry from the rotation schedule', () => {
    const json = synthJson((scope) => {
      vaultIn(scope).addGeneratedSecret('api-key-pepper', { lengthChars: 64, expiresInDays: 90 });
    });
    const secret = single(json, 'azurerm_key_vault_secret');
    expect(secret).toMatchObject({
      name: 'api-key-pepper',
      content_type: 'text/plain',
      key_vault_id: ref('azurerm_key_vault', 'id'),
      depends_on: [dep('time_sleep')],
    });
    expect(secret.value).toMatch(/^\$\{random_password\.[\w-]+\.result\}$/);
    expect(secret.expiration_date).toMatch(/^\$\{time_offset\.[\w-]+\.rfc3339\}$/);
    expect(single(json, 'random_password')).toMatchObject({ length: 64, special: true });
    expect(single(json, 'random_password').keepers).toEqual({
      rotation: expect.stringMatching(/^\$\{time_rotating\.[\w-]+\.id\}$/),
    });
    // A rotation makes the new value before the old one goes.
    expect(single(json, 'random_password').lifecycle).toEqual({ create_before_destroy: true });
    expect(secret.tags).toEqual({ 'value-rotation': 'scheduled' });
    expect(single(json, 'time_rotating')).toEqual({ rotation_days: 60 });
    expect(single(json, 'time_offset')).toMatchObject({ offset_days: 90 });
  });

  it('keeps a generated value across rotations when valueRotationEnabled is false', () => {
    const json = synthJson((scope) => {
      vaultIn(scope).addGeneratedSecret('kek', {
        valueRotationEnabled: false,
        rotateAfterDays: 300,
        contentType: 'application/octet-stream',
      });
    });
    expect(single(json, 'random_password').keepers).toBeUndefined();
    expect(single(json, 'random_password').lifecycle).toBeUndefined();
    // Only the expiry moves on schedule; the secret says so.
    expect(single(json, 'azurerm_key_vault_secret').tags).toEqual({ 'value-rotation': 'none-expiry-renewal-only' });
    expect(single(json, 'time_rotating')).toEqual({ rotation_days: 300 });
    expect(single(json, 'time_offset')).toMatchObject({ offset_days: 365 });
    expect(single(json, 'azurerm_key_vault_secret').content_type).toBe('application/octet-stream');
  });

  it('stores a value from another resource and exposes the versionless id', () => {
    let versionless = '';
    const json = synthJson((scope) => {
      const vault = vaultIn(scope);
      const source = vault.addGeneratedSecret('source');
      const stored = vault.storeSecret('copy', {
        value: source.secretResource.value,
        expirationDate: '2030-01-01T00:00:00Z',
      });
      versionless = stored.secretVersionlessId;
    });
    expect(versionless).toMatch(/TOKEN/);
    const copy = allOf(json, 'azurerm_key_vault_secret').find((s) => s.name === 'copy');
    expect(copy).toMatchObject({
      expiration_date: '2030-01-01T00:00:00Z',
      value: expect.stringMatching(/key_vault_secret/),
    });
  });

  it('grants secret read and write as role assignments scoped to the vault and returns them', () => {
    const json = synthJson((scope) => {
      const vault = vaultIn(scope, { deployerSecretsOfficerEnabled: false, tenantId: 't' });
      const read = vault.grantSecretRead('reader-object-id', { principalType: 'ServicePrincipal' });
      const write = vault.grantSecretWrite('writer-object-id');
      const second = vault.grantSecretRead('other-reader');
      expect([read.node.id, write.node.id, second.node.id]).toEqual([
        'SecretsUser1',
        'SecretsOfficer1',
        'SecretsUser2',
      ]);
    });
    const assignments = allOf(json, 'azurerm_role_assignment');
    expect(assignments).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          role_definition_name: 'Key Vault Secrets User',
          principal_id: 'reader-object-id',
          principal_type: 'ServicePrincipal',
          scope: ref('azurerm_key_vault', 'id'),
        }),
        expect.objectContaining({
          role_definition_name: 'Key Vault Secrets Officer',
          principal_id: 'writer-object-id',
        }),
        expect.objectContaining({ role_definition_name: 'Key Vault Secrets User', principal_id: 'other-reader' }),
      ]),
    );
    expect(assignments).toHaveLength(3);
  });

  it('synthesizes the same JSON every time', () => {
    const build = (scope: Construct) => {
      vaultIn(scope).addGeneratedSecret('pepper');
    };
    expect(Testing.synthScope(build)).toBe(Testing.synthScope(build));
  });

  describe('fails when', () => {
    const failsWith = (props: Partial<AuthKeyVaultProps>, message: RegExp | string) =>
      expect(() => synthJson((scope) => vaultIn(scope, props))).toThrow(message);

    it('the name is too short', () =>
      failsWith({ name: 'kv' }, /Vault: name must be 3-24 letters, digits or single hyphens.*; got "kv"/));
    it('the name is too long', () => failsWith({ name: 'kv-abcdefghijklmnopqrstuvw' }, /name must be 3-24/));
    it('the name starts with a digit', () => failsWith({ name: '1kv-test' }, /got "1kv-test"/));
    it('the name has invalid characters', () => failsWith({ name: 'kv_test' }, /got "kv_test"/));
    it('the propagation wait is longer than 30 minutes', () =>
      failsWith(
        { rbacPropagationDelaySeconds: 1801 },
        'Vault: rbacPropagationDelaySeconds must be an integer from 0 to 1800; got 1801',
      ));
    it('soft delete retention is out of range', () =>
      failsWith({ softDeleteRetentionDays: 120 }, 'softDeleteRetentionDays must be an integer from 7 to 90; got 120'));
    it('the deployer has no declared path through the firewall', () => {
      failsWith(
        { deployerAccess: undefined },
        'Vault: deployerAccess must be { kind: "ipRanges", ipRanges: [<deploy runner egress>] } or { kind: "privateNetwork" } with privateEndpoint (the firewall refuses every other caller, so secret writes would fail with 403 ForbiddenByFirewall); got undefined',
      );
      failsWith(
        { deployerAccess: { kind: 'ipRanges', ipRanges: [] } },
        'Vault: deployerAccess.ipRanges must be at least one IPv4 address or CIDR range; got []',
      );
      failsWith(
        { deployerAccess: { kind: 'privateNetwork' } },
        'Vault: privateEndpoint must be given when deployerAccess is "privateNetwork"; got undefined',
      );
    });
    it("a deployer's IP range is not an IPv4 range", () =>
      failsWith(
        { deployerAccess: { kind: 'ipRanges', ipRanges: ['runner'] } },
        'deployerAccess.ipRanges[0] must be an IPv4 address or CIDR range; got "runner"',
      ));
    it('an allowed IP range is not an IPv4 range', () =>
      failsWith({ allowedIpRanges: ['not-an-ip'] }, 'allowedIpRanges[0] must be an IPv4 address or CIDR range'));
    it('an allowed IP range is repeated', () =>
      failsWith(
        { allowedIpRanges: ['203.0.113.1', '203.0.113.1'] },
        /allowedIpRanges must be a list without duplicate/,
      ));
    it('the Log Analytics workspace id is empty', () =>
      failsWith(
        { logAnalyticsWorkspaceId: '' },
        'logAnalyticsWorkspaceId must be a Log Analytics workspace resource id',
      ));
    it('a secret lifetime is out of range', () =>
      expect(() => synthJson((scope) => vaultIn(scope).addGeneratedSecret('s', { expiresInDays: 1000 }))).toThrow(
        'Vault/s: expiresInDays must be an integer from 7 to 730; got 1000',
      ));
    it('rotation is not before expiry', () =>
      expect(() =>
        synthJson((scope) => vaultIn(scope).addGeneratedSecret('s', { expiresInDays: 30, rotateAfterDays: 30 })),
      ).toThrow('rotateAfterDays must be an integer from 1 to 29; got 30'));
    it('a generated secret is too short', () =>
      expect(() => synthJson((scope) => vaultIn(scope).addGeneratedSecret('s', { lengthChars: 8 }))).toThrow(
        'lengthChars must be an integer from 16 to 1024; got 8',
      ));
    it('a secret name is invalid', () =>
      expect(() => synthJson((scope) => vaultIn(scope).addGeneratedSecret('bad_name'))).toThrow(
        /name must be 1-127 letters, digits or hyphens; got "bad_name"/,
      ));
    it('a secret name is used twice', () =>
      expect(() =>
        synthJson((scope) => {
          const vault = vaultIn(scope);
          vault.addGeneratedSecret('dup');
          vault.addGeneratedSecret('dup');
        }),
      ).toThrow('name must be a secret name not already used in this vault; got "dup"'));
    it('a stored value is a literal, without echoing it', () => {
      const attempt = () =>
        synthJson((scope) =>
          vaultIn(scope).storeSecret('s', { value: 'hunter2', expirationDate: '2030-01-01T00:00:00Z' }),
        );
      expect(attempt).toThrow(
        'value must be a token from the Terraform graph, never a literal secret; got "<literal>"',
      );
      expect(attempt).not.toThrow(/hunter2/);
    });
    it('a grant has no principal', () =>
      expect(() => synthJson((scope) => vaultIn(scope).grantSecretRead(''))).toThrow(
        'principalId must be a principal object id; got ""',
      ));
  });
});
