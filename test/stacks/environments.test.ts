import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { buildApp } from '../../stacks/app.js';
import { checkEnvironments, type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { GatehouseStack } from '../../stacks/gatehouse-stack.js';

interface StackJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, unknown>>;
  output: Record<string, { value: unknown }>;
  terraform: { backend: { azurerm: Record<string, unknown> } };
  provider: Record<string, Array<Record<string, unknown>>>;
}

function synthEnvironment(settings: EnvironmentSettings): StackJson {
  const stack = new GatehouseStack(Testing.app(), settings);
  return JSON.parse(Testing.synth(stack, true)) as StackJson;
}

/** `type` -> number of resources of that type. */
function resourceSet(json: StackJson): Record<string, number> {
  return Object.fromEntries(Object.entries(json.resource).map(([type, byId]) => [type, Object.keys(byId).length]));
}

const firstOf = (json: StackJson, type: string) => Object.values(json.resource[type])[0];

describe('environment stacks', () => {
  it.each(environments.map((env) => [env.name, env] as const))('%s synthesizes the full resource set', (_, env) => {
    const json = synthEnvironment(env);
    expect(resourceSet(json)).toEqual({
      azurerm_resource_group: 1,
      azurerm_key_vault: 1,
      azurerm_role_assignment: 1,
      time_sleep: 1,
      time_rotating: 1,
      time_offset: 1,
      azuread_application: 1,
      azuread_application_identifier_uri: 1,
      azuread_application_redirect_uris: 1,
      azuread_service_principal: 1,
      azuread_application_password: 1,
      azurerm_key_vault_secret: 1,
      ...(env.logAnalyticsWorkspaceId ? { azurerm_monitor_diagnostic_setting: 1 } : {}),
    });
    expect(Object.keys(json.provider).sort()).toEqual(['azuread', 'azurerm', 'random', 'time']);
    expect(json.provider.azurerm[0]).toMatchObject({ subscription_id: env.subscriptionId, tenant_id: env.tenantId });
    expect(json.provider.azuread[0]).toMatchObject({ tenant_id: env.tenantId });
  });

  it.each(environments.map((env) => [env.name, env] as const))(
    '%s takes every difference from its settings',
    (_, env) => {
      const json = synthEnvironment(env);
      expect(json.terraform.backend.azurerm).toMatchObject({
        key: env.backend.key,
        storage_account_name: env.backend.storageAccountName,
        container_name: env.backend.containerName,
        use_azuread_auth: true,
      });
      expect(firstOf(json, 'azurerm_resource_group')).toMatchObject({ name: env.resourceGroupName, tags: env.tags });
      expect(firstOf(json, 'azurerm_key_vault')).toMatchObject({
        name: env.keyVaultName,
        public_network_access_enabled: env.keyVaultNetwork.allowedIpRanges.length > 0,
        network_acls: { default_action: 'Deny', ip_rules: env.keyVaultNetwork.allowedIpRanges },
      });
      expect(firstOf(json, 'azuread_application').display_name).toBe(`gatehouse-${env.name}`);
      expect(firstOf(json, 'azuread_application_redirect_uris').redirect_uris).toEqual(
        env.redirectOrigins.map((origin) => `${origin}/auth/callback`),
      );
      expect(Object.keys(json.output).sort()).toEqual([
        'api_client_id',
        'api_identifier_uri',
        'key_vault_uri',
        'tenant_id',
      ]);
      expect(json.output.api_identifier_uri.value).toBe(`api://gatehouse-${env.name}`);
      expect(json.output.tenant_id.value).toBe(env.tenantId);
      expect(json.output.key_vault_uri.value).toMatch(/^\$\{azurerm_key_vault\.[\w-]+\.vault_uri\}$/);
    },
  );

  it('uses one state key per environment and the same app-role ids everywhere', () => {
    const all = environments.map(synthEnvironment);
    expect(new Set(all.map((json) => json.terraform.backend.azurerm.key)).size).toBe(environments.length);
    const roles = all.map((json) => firstOf(json, 'azuread_application').app_role);
    for (const other of roles.slice(1)) expect(other).toEqual(roles[0]);
  });

  it('synthesizes identical JSON on every run', () => {
    for (const env of environments) {
      const first = Testing.synth(new GatehouseStack(Testing.app(), env), true);
      const second = Testing.synth(new GatehouseStack(Testing.app(), env), true);
      expect(second).toBe(first);
    }
  });

  it('sends Key Vault diagnostics to a workspace when an environment names one', () => {
    const json = synthEnvironment({ ...environments[0], logAnalyticsWorkspaceId: '/subscriptions/x/workspaces/logs' });
    expect(resourceSet(json).azurerm_monitor_diagnostic_setting).toBe(1);
  });

  describe('fails when', () => {
    it('an environment without loopback redirects lists a localhost origin', () =>
      expect(() => synthEnvironment({ ...environments[2], redirectOrigins: ['http://localhost:3000'] })).toThrow(
        /prod\/Api: redirectUris\[0\] must be an absolute https URL.*; got "http:\/\/localhost:3000\/auth\/callback"/,
      ));
    it('two environments share a name', () =>
      expect(() => checkEnvironments([environments[0], environments[0]])).toThrow(
        'environments: name must be unique; got "dev" twice',
      ));
    it('two environments share a state key', () =>
      expect(() => buildApp([environments[0], { ...environments[1], backend: environments[0].backend }])).toThrow(
        'environments[staging]: backend.key must be unique per environment; got "gatehouse/dev.tfstate" again',
      ));
    it('an environment name is not a short lower-case name', () =>
      expect(() => checkEnvironments([{ ...environments[0], name: 'Dev Env' }])).toThrow(
        'environments: name must be 1-20 lower-case letters, digits or hyphens; got "Dev Env"',
      ));
    it('a Key Vault name breaks the naming rule', () =>
      expect(() => synthEnvironment({ ...environments[0], keyVaultName: 'kv_gatehouse' })).toThrow(
        /dev\/KeyVault: name must be 3-24 letters/,
      ));
  });
});
