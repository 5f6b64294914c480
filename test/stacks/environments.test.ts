import { Testing } from 'cdktf';
import { describe, expect, it } from 'vitest';
import { catalogToJson, defaultCatalog } from '../../catalog/index.js';
import { buildApp } from '../../stacks/app.js';
import { bootstrap, stateBackend } from '../../stacks/bootstrap-settings.js';
import { checkEnvironments, type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { GatehouseStack } from '../../stacks/gatehouse-stack.js';
import { dependencyGraph, findCycle, findPlaintextSecrets } from '../constructs/auth-runtime-scan.js';

interface StackJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output: Record<string, { value: unknown }>;
  terraform: { backend: { azurerm: Record<string, unknown> } };
  provider: Record<string, Array<Record<string, unknown>>>;
}

const synthCache = new Map<EnvironmentSettings, StackJson>();

function synthEnvironment(settings: EnvironmentSettings): StackJson {
  const cached = synthCache.get(settings);
  if (cached) return cached;
  const stack = new GatehouseStack(Testing.app(), settings);
  const json = JSON.parse(Testing.synth(stack, true)) as StackJson;
  synthCache.set(settings, json);
  return json;
}

/** `type` -> number of resources of that type. */
function resourceSet(json: StackJson): Record<string, number> {
  return Object.fromEntries(Object.entries(json.resource).map(([type, byId]) => [type, Object.keys(byId).length]));
}

const firstOf = (json: StackJson, type: string) => {
  const all = Object.values(json.resource[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
};

interface Container {
  image: string;
  cpu: number;
  memory: string;
  env: Array<{ name: string; value?: string; secret_name?: string }>;
}
const appOf = (json: StackJson) =>
  firstOf(json, 'azurerm_container_app') as {
    template: { min_replicas: number; max_replicas: number; container: Container[] };
  };
const envOf = (json: StackJson) =>
  Object.fromEntries(appOf(json).template.container[0].env.map(({ name, ...rest }) => [name, rest]));

const byName = (name: string) => environments.find((env) => env.name === name) as EnvironmentSettings;
const each = environments.map((env) => [env.name, env] as const);

describe('environment stacks', () => {
  it.each(each)('%s is one AuthPlatform with the runtime, its store and its identity', (_, env) => {
    const json = synthEnvironment(env);
    const set = resourceSet(json);
    expect(set).toMatchObject({
      azurerm_key_vault: 1,
      azuread_application: 1 + env.clients.length,
      azurerm_user_assigned_identity: 2,
      azurerm_container_app_job: 1,
      azurerm_container_app_environment: 1,
      azurerm_container_app: 1,
      azurerm_postgresql_flexible_server: 1,
      azurerm_postgresql_flexible_server_database: 1,
    });
    expect(set.azurerm_redis_cache ?? 0).toBe(env.runtime.redis ? 1 : 0);
    expect(set.azuread_application_federated_identity_credential ?? 0).toBe(
      env.runtime.credential === 'federated' ? 1 : 0,
    );
    // Every resource comes from the one AuthPlatform (logical ids start with the construct path); the resource group
    // is the bootstrap stack's, read here.
    const logicalIds = Object.values(json.resource).flatMap((byId) => Object.keys(byId));
    expect(logicalIds.filter((id) => !id.startsWith('Platform_'))).toEqual([]);
    expect(json.resource.azurerm_resource_group).toBeUndefined();
    expect(Object.values(json.data?.azurerm_resource_group ?? {})).toEqual([{ name: env.resourceGroupName }]);
    // No docker provider: a plan needs no Docker daemon.
    expect(Object.keys(json.provider).sort()).toEqual(['azuread', 'azurerm', 'random', 'time']);
    // Providers are registered outside the stack: listing or registering them needs rights on the whole subscription.
    expect(json.provider.azurerm[0]).toMatchObject({
      subscription_id: env.subscriptionId,
      tenant_id: env.tenantId,
      resource_provider_registrations: 'none',
    });
    expect(json.provider.azuread[0]).toMatchObject({ tenant_id: env.tenantId });
  });

  it.each(each)('%s takes every difference from its settings', (_, env) => {
    const json = synthEnvironment(env);
    expect(json.terraform.backend.azurerm).toMatchObject({
      key: env.backend.key,
      subscription_id: env.backend.subscriptionId,
      resource_group_name: env.backend.resourceGroupName,
      storage_account_name: env.backend.storageAccountName,
      container_name: env.backend.containerName,
      use_azuread_auth: true,
    });
    expect(firstOf(json, 'azurerm_key_vault')).toMatchObject({ name: env.keyVaultName });
    expect(firstOf(json, 'azurerm_virtual_network').address_space).toEqual([env.runtime.network.addressSpace]);
    expect(
      Object.values(json.resource.azurerm_subnet)
        .map((subnet) => [subnet.name, subnet.address_prefixes])
        .sort(),
    ).toEqual(
      [
        ['private-endpoints', [env.runtime.network.privateEndpointSubnetPrefix]],
        ['database', [env.runtime.network.databaseSubnetPrefix]],
        ['runtime', [env.runtime.network.runtimeSubnetPrefix]],
      ].sort(),
    );
    expect(firstOf(json, 'azurerm_container_app_environment')).toMatchObject({
      workload_profile: [{ name: 'Consumption', workload_profile_type: 'Consumption' }],
      infrastructure_resource_group_name: `${env.runtime.name}-env-infra`,
      logs_destination: 'log-analytics',
      log_analytics_workspace_id: expect.stringMatching(/^\$\{azurerm_log_analytics_workspace\.[\w-]+\.id\}$/),
      infrastructure_subnet_id: expect.stringMatching(/^\$\{azurerm_subnet\.[\w-]+\.id\}$/),
      zone_redundancy_enabled: env.runtime.zoneRedundancyEnabled,
    });
    expect(firstOf(json, 'azurerm_container_app')).toMatchObject({
      name: env.runtime.name,
      workload_profile_name: 'Consumption',
      tags: env.tags,
    });
    const runtimeSubnet = Object.values(json.resource.azurerm_subnet).find((subnet) => subnet.name === 'runtime');
    expect(runtimeSubnet?.delegation).toEqual([
      {
        name: 'container-apps',
        service_delegation: {
          name: 'Microsoft.App/environments',
          actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
        },
      },
    ]);
    expect(appOf(json).template).toMatchObject({
      min_replicas: env.runtime.minReplicas,
      max_replicas: env.runtime.maxReplicas,
    });
    expect(appOf(json).template.container[0]).toMatchObject({ cpu: env.runtime.cpu, memory: env.runtime.memory });
    expect(firstOf(json, 'azurerm_postgresql_flexible_server')).toMatchObject({
      name: `${env.runtime.name}-pg`,
      sku_name: env.runtime.database.skuName,
      backup_retention_days: env.runtime.database.backupRetentionDays,
      geo_redundant_backup_enabled: env.runtime.database.geoRedundantBackupEnabled,
    });
    const apps = Object.values(json.resource.azuread_application).map((app) => app.display_name);
    expect(apps).toEqual([
      `gatehouse-${env.name}`,
      ...env.clients.map((c) => `gatehouse-${env.name}-${c.id.toLowerCase()}`),
    ]);
    expect(json.resource.azuread_application_redirect_uris).toBeUndefined();
    const api = Object.values(json.resource.azuread_application)[0] as {
      web: { redirect_uris: unknown };
      lifecycle: unknown;
    };
    expect(api.web.redirect_uris).toEqual([
      expect.stringMatching(
        new RegExp(
          `^https://${env.runtime.name}\\.\\$\\{azurerm_container_app_environment\\.[\\w-]+\\.default_domain\\}/auth/callback$`,
        ),
      ),
      ...env.redirectOrigins.map((origin) => `${origin}/auth/callback`),
    ]);
    expect(api.lifecycle).toEqual({ ignore_changes: ['identifier_uris'] });
    expect(envOf(json).CATALOG_JSON).toEqual({ value: catalogToJson(defaultCatalog) });
  });

  const vaultPaths = [
    ['dev', { public: true, ipRules: ['203.0.113.0/24'], peerings: [] as string[] }],
    ['staging', { public: true, ipRules: ['198.51.100.0/24'], peerings: [] as string[] }],
    [
      'prod',
      {
        public: false,
        ipRules: [] as string[],
        peerings: ['deployer-to-gatehouse-prod', 'gatehouse-prod-to-deployer'],
      },
    ],
  ] as const;
  it.each(vaultPaths)(
    "%s: the runtime reaches the vault through a private endpoint, the deployer by the environment's declared path",
    (name, expected) => {
      const json = synthEnvironment(byName(name));
      expect(firstOf(json, 'azurerm_key_vault')).toMatchObject({
        public_network_access_enabled: expected.public,
        network_acls: {
          default_action: 'Deny',
          bypass: 'AzureServices',
          ip_rules: expected.ipRules,
          virtual_network_subnet_ids: [],
        },
      });
      expect(
        Object.values(json.resource.azurerm_private_dns_zone)
          .map((zone) => zone.name)
          .sort(),
      ).toEqual([`gatehouse-${name}.private.postgres.database.azure.com`, 'privatelink.vaultcore.azure.net']);
      expect(firstOf(json, 'azurerm_private_endpoint')).toMatchObject({
        name: `kv-gatehouse-${name === 'staging' ? 'stg' : name}-ex-pe`,
        private_service_connection: { subresource_names: ['vault'], is_manual_connection: false },
      });
      const links = Object.values(json.resource.azurerm_private_dns_zone_virtual_network_link);
      // The vault's zone and the database's zone, both linked to the runtime's network; the vault's also to the runner's.
      expect(links.map((link) => link.name).sort()).toEqual(
        expected.public
          ? [`gatehouse-${name}-vnet`, `gatehouse-${name}-vnet`]
          : [`gatehouse-${name}-deployer`, `gatehouse-${name}-vnet`, `gatehouse-${name}-vnet`],
      );
      expect(
        Object.values(json.resource.azurerm_virtual_network_peering ?? {})
          .map((p) => p.name)
          .sort(),
      ).toEqual(expected.peerings);
    },
  );

  it.each(each)('%s creates every rotating credential before destroying the one it replaces', (name, env) => {
    const json = synthEnvironment(env);
    const passwords = Object.values(json.resource.azuread_application_password ?? {});
    expect(passwords).toHaveLength(env.clients.length + (env.runtime.credential === 'clientSecret' ? 1 : 0));
    for (const password of passwords) {
      expect(password).toMatchObject({
        rotate_when_changed: { rotation: expect.stringMatching(/^\$\{time_rotating\.[\w-]+\.id\}$/) },
        lifecycle: { create_before_destroy: true },
      });
    }
    const rotating = Object.values(json.resource.random_password ?? {}).filter((password) => password.keepers);
    for (const password of rotating) expect(password.lifecycle).toEqual({ create_before_destroy: true });
    // The key-encryption key and the pepper never change value: only their expiry is renewed, and they say so.
    const secrets = Object.fromEntries(
      Object.values(json.resource.azurerm_key_vault_secret).map((secret) => [secret.name, secret.tags]),
    );
    expect(secrets[`gatehouse-${name}-key-encryption-key`]).toEqual({ 'value-rotation': 'none-expiry-renewal-only' });
    expect(secrets[`gatehouse-${name}-api-key-pepper`]).toEqual({ 'value-rotation': 'none-expiry-renewal-only' });
    const fixedValues = Object.values(json.resource.random_password).filter((password) => !password.keepers);
    expect(fixedValues).toHaveLength(2);
  });

  it.each(each)(
    '%s waits the documented propagation window, once, for every grant the first apply depends on',
    (_, env) => {
      const json = synthEnvironment(env);
      const addresses = (type: string) => Object.keys(json.resource[type] ?? {}).map((id) => `${type}.${id}`);
      const sleeps = Object.entries(json.resource.time_sleep).map(
        ([id, sleep]) => ({ address: `time_sleep.${id}`, ...sleep }) as Record<string, unknown> & { address: string },
      );
      expect(sleeps).toHaveLength(2);
      for (const sleep of sleeps) {
        expect(sleep.create_duration).toBe('600s');
        expect(sleep).not.toHaveProperty('triggers');
        expect(sleep).not.toHaveProperty('destroy_duration');
      }
      const deployerGrant = Object.entries(json.resource.azurerm_role_assignment).find(([, grant]) =>
        /^\$\{data\.azurerm_client_config\.[\w-]+\.object_id\}$/.test(String(grant.principal_id)),
      );
      expect(deployerGrant?.[1].role_definition_name).toBe('Key Vault Secrets Officer');
      const deployerGrantAddress = `azurerm_role_assignment.${deployerGrant?.[0]}`;
      const deployerWait = sleeps.find((sleep) => (sleep.depends_on as string[]).includes(deployerGrantAddress));
      expect(deployerWait?.depends_on).toEqual([deployerGrantAddress]);
      for (const secret of Object.values(json.resource.azurerm_key_vault_secret)) {
        expect(secret.depends_on).toContain(deployerWait?.address);
      }
      // The first revision: every grant to the runtime's identity, the federated credential it signs in with, the
      // vault's private endpoint, and the database administrator assignment its role is created with.
      const runtimeWait = sleeps.find((sleep) => sleep !== deployerWait);
      expect([...((runtimeWait?.depends_on as string[] | undefined) ?? [])].sort()).toEqual(
        [
          ...addresses('azurerm_role_assignment').filter((address) => address !== deployerGrantAddress),
          ...addresses('azuread_application_federated_identity_credential'),
          ...addresses('azurerm_postgresql_flexible_server_active_directory_administrator'),
          ...addresses('azurerm_private_endpoint'),
        ].sort(),
      );
      expect(addresses('azuread_application_federated_identity_credential')).toHaveLength(1);
      expect(firstOf(json, 'azurerm_container_app').depends_on).toEqual([runtimeWait?.address]);
    },
  );

  it.each(each)('%s exposes the runtime URL, JWKS URL and client ids, never a secret', (_, env) => {
    const json = synthEnvironment(env);
    expect(Object.keys(json.output).sort()).toEqual([
      'api_client_id',
      'api_identifier_uri',
      'client_ids',
      'jwks_url',
      'key_vault_uri',
      'runtime_url',
      'tenant_id',
    ]);
    expect(json.output.runtime_url.value).toMatch(
      new RegExp(
        `^https://${env.runtime.name}\\.\\$\\{azurerm_container_app_environment\\.[\\w-]+\\.default_domain\\}$`,
      ),
    );
    expect(json.output.jwks_url.value).toBe(`${json.output.runtime_url.value}/.well-known/jwks.json`);
    expect(json.output.api_identifier_uri.value).toBe(`api://gatehouse-${env.name}`);
    expect(Object.keys(json.output.client_ids.value as object)).toEqual(env.clients.map((c) => c.id));
    expect(json.output.tenant_id.value).toBe(env.tenantId);
    expect(findPlaintextSecrets(json)).toEqual([]);
    expect(findCycle(dependencyGraph(json))).toBeUndefined();
  });

  it('prod runs a zone-redundant HA database, 2+ replicas and shared Redis', () => {
    const json = synthEnvironment(byName('prod'));
    expect(firstOf(json, 'azurerm_postgresql_flexible_server')).toMatchObject({
      high_availability: { mode: 'ZoneRedundant' },
      sku_name: expect.stringMatching(/^(GP|MO)_/),
    });
    expect(appOf(json).template.min_replicas).toBeGreaterThanOrEqual(2);
    expect(firstOf(json, 'azurerm_container_app_environment').zone_redundancy_enabled).toBe(true);
    expect(firstOf(json, 'azurerm_redis_cache')).toBeDefined();
  });

  it.each(each)(
    '%s runs the registry image by the digest npm run deploy passes in, and Terraform builds and pushes nothing',
    (_, env) => {
      const json = synthEnvironment(env) as StackJson & { variable: Record<string, Record<string, unknown>> };
      const image = env.runtime.image as Extract<EnvironmentSettings['runtime']['image'], { kind: 'registry' }>;
      expect(json.variable.runtime_image_digest).toEqual({
        type: 'string',
        nullable: false,
        description: 'Digest (sha256:<64 hex>) of the runtime image in the registry; npm run deploy sets it',
        validation: [
          {
            condition: '${can(regex("^sha256:[0-9a-f]{64}$", var.runtime_image_digest))}',
            error_message:
              'runtime_image_digest must be sha256:<64 lower-case hex digits>, the digest npm run deploy pushed.',
          },
        ],
      });
      expect(appOf(json).template.container[0].image).toBe(
        `${image.loginServer}/gatehouse-runtime@\${var.runtime_image_digest}`,
      );
      const acrPull = Object.values(json.resource.azurerm_role_assignment).find(
        (grant) => grant.role_definition_name === 'AcrPull',
      );
      expect(acrPull).toMatchObject({ scope: image.registryId, principal_type: 'ServicePrincipal' });
      for (const type of [
        'azurerm_container_registry',
        'azurerm_container_registry_token',
        'azurerm_container_registry_token_password',
        'azurerm_container_registry_scope_map',
        'docker_image',
        'docker_registry_image',
      ]) {
        expect(json.resource[type]).toBeUndefined();
      }
      // Nothing of the machine that synthesized it.
      const text = JSON.stringify(json);
      expect(text).not.toContain(process.cwd());
      expect(text).not.toMatch(/"\/(home|root|tmp|work|Users)\//);
    },
  );

  it('dev is the smallest working set', () => {
    const json = synthEnvironment(byName('dev'));
    expect(appOf(json).template.container[0]).toMatchObject({ cpu: 0.25, memory: '0.5Gi' });
    expect(appOf(json).template).toMatchObject({ min_replicas: 0, max_replicas: 1 });
    const server = firstOf(json, 'azurerm_postgresql_flexible_server');
    expect(server).toMatchObject({ sku_name: 'B_Standard_B1ms', backup_retention_days: 7 });
    expect(server.high_availability).toBeUndefined();
    expect(json.resource.azurerm_redis_cache).toBeUndefined();
    expect(envOf(json).DATABASE_AUTH).toEqual({ value: 'managed-identity' });
  });

  it('uses one state key per environment and the same app-role ids everywhere', () => {
    const all = environments.map(synthEnvironment);
    expect(new Set(all.map((json) => json.terraform.backend.azurerm.key)).size).toBe(environments.length);
    const roles = all.map((json) => Object.values(json.resource.azuread_application)[0].app_role);
    for (const other of roles.slice(1)) expect(other).toEqual(roles[0]);
  });

  it('synthesizes identical JSON on every run', () => {
    for (const env of environments) {
      const first = Testing.synth(new GatehouseStack(Testing.app(), env), true);
      const second = Testing.synth(new GatehouseStack(Testing.app(), env), true);
      expect(second).toBe(first);
    }
  });

  it('sends Key Vault diagnostics and Container Apps logs to a workspace when an environment names one', () => {
    const json = synthEnvironment({ ...environments[0], logAnalyticsWorkspaceId: '/subscriptions/x/workspaces/logs' });
    expect(resourceSet(json).azurerm_monitor_diagnostic_setting).toBe(1);
    expect(json.resource.azurerm_log_analytics_workspace).toBeUndefined();
    expect(firstOf(json, 'azurerm_container_app_environment').log_analytics_workspace_id).toBe(
      '/subscriptions/x/workspaces/logs',
    );
  });

  it('waits as long as an environment says', () => {
    const json = synthEnvironment({ ...environments[0], rbacPropagationDelaySeconds: 240 });
    expect(Object.values(json.resource.time_sleep).map((sleep) => sleep.create_duration)).toEqual(['240s', '240s']);
  });

  it('runs a pinned image without a registry or Docker when an environment names one', () => {
    const reference = `ghcr.io/example/gatehouse-runtime@sha256:${'c'.repeat(64)}`;
    const json = synthEnvironment({
      ...environments[0],
      runtime: { ...environments[0].runtime, image: { kind: 'prebuilt', reference } },
    });
    expect(appOf(json).template.container[0].image).toBe(reference);
    expect(json.provider.docker).toBeUndefined();
    expect(json.resource.docker_image).toBeUndefined();
    expect(json.resource.azurerm_container_registry).toBeUndefined();
  });

  describe('fails when', () => {
    const real = {
      tenantId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
      subscriptionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      example: false,
      backend: stateBackend('gatehouse/test.tfstate', {
        ...bootstrap,
        subscriptionId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      }),
    };
    /** `env` with a registry in a real subscription. */
    const withRealRegistry = (env: EnvironmentSettings): EnvironmentSettings => ({
      ...env,
      runtime: {
        ...env.runtime,
        image: {
          kind: 'registry',
          registryId: `/subscriptions/${real.subscriptionId}/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/crgatehouse`,
          loginServer: 'crgatehouse.azurecr.io',
        },
      },
    });
    it('an environment declares no path for the deployer to its firewalled vault', () => {
      const { deployerAccess: _, ...withoutPath } = byName('prod').keyVaultNetwork;
      expect(() =>
        synthEnvironment({ ...byName('prod'), keyVaultNetwork: withoutPath as EnvironmentSettings['keyVaultNetwork'] }),
      ).toThrow(
        'prod: keyVaultNetwork.deployerAccess must be { kind: "ipRanges", ipRanges: [<deploy runner egress>] } or { kind: "privateNetwork" } (the Key Vault firewall refuses every other caller, so the first secret write would fail with 403 ForbiddenByFirewall); got undefined',
      );
      expect(() =>
        synthEnvironment({
          ...byName('dev'),
          keyVaultNetwork: { ...byName('dev').keyVaultNetwork, deployerAccess: { kind: 'ipRanges', ipRanges: [] } },
        }),
      ).toThrow('dev: keyVaultNetwork.deployerAccess.ipRanges must be at least one IPv4 address or CIDR range; got []');
    });
    it.each([
      ['dev', '203.0.113.0/24'],
      ['staging', '198.51.100.0/24'],
    ])('%s keeps its placeholder deployer range without the example flag', (name, range) =>
      expect(() => synthEnvironment({ ...byName(name), ...real })).toThrow(
        `${name}: keyVaultNetwork.deployerAccess.ipRanges[0] must be an address range you use, not a documentation range (192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24; remove placeholders, or mark a sample environment with example: true); got "${range}"`,
      ),
    );
    it('an address inside a documentation range is an operator range', () =>
      expect(() =>
        synthEnvironment({
          ...byName('dev'),
          ...real,
          keyVaultNetwork: {
            deployerAccess: { kind: 'ipRanges', ipRanges: ['20.50.60.70'] },
            allowedIpRanges: ['192.0.2.15'],
            allowedSubnetIds: [],
          },
        }),
      ).toThrow(
        /^dev: keyVaultNetwork\.allowedIpRanges\[0\] must be an address range you use.*; got "192\.0\.2\.15"$/,
      ));
    it('an environment keeps its placeholder registry without the example flag', () =>
      expect(() =>
        synthEnvironment({
          ...byName('dev'),
          ...real,
          keyVaultNetwork: {
            ...byName('dev').keyVaultNetwork,
            deployerAccess: { kind: 'ipRanges', ipRanges: ['20.50.60.70'] },
          },
        }),
      ).toThrow(
        /^dev: runtime\.image\.registryId must be a resource id in your own subscription, not a placeholder .*; got "\/subscriptions\/dddddddd-dddd-dddd-dddd-dddddddddddd\//,
      ));
    it('prod keeps its placeholder runner network without the example flag', () =>
      expect(() => synthEnvironment({ ...byName('prod'), ...real })).toThrow(
        /^prod: keyVaultNetwork\.deployerAccess\.virtualNetworkId must be a resource id in your own subscription, not a placeholder .*; got "\/subscriptions\/ffffffff-ffff-ffff-ffff-ffffffffffff\//,
      ));
    it('a sample tenant, subscription or example domain is left in place without the example flag', () => {
      expect(() => synthEnvironment({ ...byName('staging'), example: false })).toThrow(
        /^staging: tenantId must be your own GUID, not a placeholder .*; got "11111111-1111-1111-1111-111111111111"$/,
      );
      expect(() => synthEnvironment({ ...byName('staging'), tenantId: real.tenantId, example: false })).toThrow(
        /^staging: subscriptionId must be your own GUID.*; got "eeeeeeee-eeee-eeee-eeee-eeeeeeeeeeee"$/,
      );
      expect(() =>
        synthEnvironment({
          ...byName('staging'),
          tenantId: real.tenantId,
          subscriptionId: real.subscriptionId,
          example: false,
        }),
      ).toThrow(
        /^staging: backend\.subscriptionId must be your own GUID.*; got "cccccccc-cccc-cccc-cccc-cccccccccccc"$/,
      );
      expect(() =>
        synthEnvironment({
          ...withRealRegistry(byName('prod')),
          ...real,
          keyVaultNetwork: { ...byName('prod').keyVaultNetwork, deployerAccess: { kind: 'privateNetwork' } },
          redirectOrigins: ['https://app.example.com'],
        }),
      ).toThrow(
        /^prod: redirectOrigins\[0\] must be an origin you own, not an example domain .*; got "https:\/\/app\.example\.com"$/,
      );
    });
    it('synthesizes an environment with real values and no example flag', () => {
      const json = synthEnvironment({
        ...withRealRegistry(byName('dev')),
        ...real,
        keyVaultNetwork: {
          deployerAccess: { kind: 'ipRanges', ipRanges: ['20.50.60.0/28'] },
          allowedIpRanges: [],
          allowedSubnetIds: [],
        },
      });
      expect((firstOf(json, 'azurerm_key_vault').network_acls as { ip_rules: string[] }).ip_rules).toEqual([
        '20.50.60.0/28',
      ]);
    });

    it('an environment without loopback redirects lists a localhost origin', () =>
      expect(() => synthEnvironment({ ...byName('prod'), redirectOrigins: ['http://localhost:3000'] })).toThrow(
        /prod\/Platform\/Api: redirectUris\[1\] must be an absolute https URL.*; got "http:\/\/localhost:3000\/auth\/callback"/,
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
        /dev\/Platform\/KeyVault: name must be 3-24 letters/,
      ));
    it('an environment asks for a CPU/memory pair Container Apps does not offer', () =>
      expect(() =>
        synthEnvironment({ ...environments[0], runtime: { ...environments[0].runtime, cpu: 0.25, memory: '1Gi' } }),
      ).toThrow(/dev\/Platform\/Runtime: cpu\/memory must be one of the Container Apps pairs .*; got "0\.25\/1Gi"/));
    it('an environment asks for HA on a burstable database', () =>
      expect(() =>
        synthEnvironment({
          ...environments[0],
          runtime: {
            ...environments[0].runtime,
            database: { ...environments[0].runtime.database, highAvailabilityEnabled: true },
          },
        }),
      ).toThrow(/dev\/Platform\/Runtime\/Database: database\.skuName must be a General Purpose/));
  });
});
