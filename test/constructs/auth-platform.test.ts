import { Aspects, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { catalogToJson, defaultCatalog, extendCatalog } from '../../catalog/index.js';
import { AuthPlatform, type AuthPlatformProps } from '../../constructs/auth-platform/index.js';
import { GatehousePolicy } from '../../constructs/core/index.js';
import { dependencyGraph, dependsOn, findCycle, findPlaintextSecrets } from './auth-runtime-scan.js';
import { allOf, ref, type SynthJson, single, synthJson, testStack } from './synth-helpers.js';

const TENANT = '00000000-0000-0000-0000-00000000aaaa';
const IMAGE = `ghcr.io/example/gatehouse-runtime@sha256:${'b'.repeat(64)}`;

const base: AuthPlatformProps = {
  name: 'gatehouse-test',
  resourceGroupName: 'rg-test',
  location: 'westeurope',
  tenantId: TENANT,
  keyVault: { name: 'kv-gatehouse-test', deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] } },
  runtime: { image: { kind: 'prebuilt', reference: IMAGE } },
};

function platformIn(scope: Construct, overrides: Partial<AuthPlatformProps> = {}): AuthPlatform {
  return new AuthPlatform(scope, 'Platform', { ...base, ...overrides });
}

function synthPlatform(overrides: Partial<AuthPlatformProps> = {}): SynthJson {
  return synthJson((scope) => {
    platformIn(scope, overrides);
  });
}

type Env = Record<string, { value?: string; secret_name?: string }>;

function envOf(json: SynthJson): Env {
  const app = single(json, 'azurerm_container_app') as {
    template: { container: Array<{ env: Array<{ name: string; value?: string; secret_name?: string }> }> };
  };
  return Object.fromEntries(app.template.container[0].env.map(({ name, ...rest }) => [name, rest]));
}

/** Resources of `type` keyed by their `name`, each with its logical `id`. */
function named(json: SynthJson, type: string): Record<string, Record<string, unknown> & { id: string }> {
  return Object.fromEntries(
    Object.entries(json.resource[type] ?? {}).map(([id, block]) => [String(block.name), { ...block, id }]),
  );
}

/** The virtual network links of the private DNS zone called `zoneName`. */
function linksOf(json: SynthJson, zoneName: string): Array<Record<string, unknown> & { id: string }> {
  const zone = named(json, 'azurerm_private_dns_zone')[zoneName];
  return Object.entries(json.resource.azurerm_private_dns_zone_virtual_network_link ?? {})
    .filter(([, link]) => link.private_dns_zone_name === `\${azurerm_private_dns_zone.${zone?.id}.name}`)
    .map(([id, link]) => ({ ...link, id }));
}

const only = (json: SynthJson, type: string) => `${type}.${Object.keys(json.resource[type])[0]}`;

describe('AuthPlatform', () => {
  it('composes vault, app registration, runtime identity and runtime with a federated credential by default', () => {
    const json = synthPlatform();
    expect(single(json, 'azurerm_key_vault')).toMatchObject({ name: 'kv-gatehouse-test', tenant_id: TENANT });
    expect(single(json, 'azuread_application')).toMatchObject({ display_name: 'gatehouse' });
    expect(single(json, 'azuread_application_federated_identity_credential')).toMatchObject({
      application_id: ref('azuread_application', 'id'),
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      subject: ref('azurerm_user_assigned_identity', 'principal_id'),
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(allOf(json, 'azuread_application_password')).toHaveLength(0);
    const runtimeIdentity = named(json, 'azurerm_user_assigned_identity')['gatehouse-test-id'];
    expect(Object.keys(named(json, 'azurerm_user_assigned_identity')).sort()).toEqual([
      'gatehouse-test-id',
      'gatehouse-test-pg-admin',
    ]);
    expect(single(json, 'azurerm_container_app').identity).toEqual({
      type: 'UserAssigned',
      identity_ids: [`\${azurerm_user_assigned_identity.${runtimeIdentity.id}.id}`],
    });
    expect(envOf(json)).toMatchObject({
      OIDC_ISSUER: { value: `https://login.microsoftonline.com/${TENANT}/v2.0` },
      OIDC_CLIENT_ID: { value: ref('azuread_application', 'client_id') },
      OIDC_AUDIENCE: { value: ref('azuread_application', 'client_id') },
      // Entra v1 access tokens may carry the identifier URI as aud.
      OIDC_APP_ID_URI: { value: 'api://gatehouse' },
      OIDC_CLIENT_AUTH: { value: 'managed-identity' },
      CATALOG_JSON: { value: catalogToJson(defaultCatalog) },
      DATABASE_AUTH: { value: 'managed-identity' },
      KEY_ENCRYPTION_KEY: { secret_name: 'key-encryption-key' },
      API_KEY_PEPPER: { secret_name: 'api-key-pepper' },
    });
    expect(envOf(json).OIDC_CLIENT_SECRET).toBeUndefined();
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  it('publishes retired role and scope values disabled, so that removing one is two deploys', () => {
    const roles = single(synthPlatform({ retiredPermissionValues: ['auditor'] }), 'azuread_application')
      .app_role as Array<Record<string, unknown>>;
    expect(roles.find((role) => role.value === 'auditor')).toMatchObject({ enabled: false });
    expect(roles.filter((role) => role.enabled === false)).toHaveLength(1);
  });

  it("puts the runtime's callback on the application's own redirect URIs, from the environment's domain, without a cycle", () => {
    const json = synthPlatform({ additionalOrigins: ['https://auth.example.com/'] });
    expect(allOf(json, 'azuread_application_redirect_uris')).toHaveLength(0);
    const app = single(json, 'azuread_application') as { web: { redirect_uris: unknown }; lifecycle: unknown };
    expect(app.web.redirect_uris).toEqual([
      expect.stringMatching(
        /^https:\/\/gatehouse-test\.\$\{azurerm_container_app_environment\.[\w-]+\.default_domain\}\/auth\/callback$/,
      ),
      'https://auth.example.com/auth/callback',
    ]);
    expect(app.lifecycle).toEqual({ ignore_changes: ['identifier_uris'] });
    const graph = dependencyGraph(json);
    expect(findCycle(graph)).toBeUndefined();
    const containerApp = only(json, 'azurerm_container_app');
    expect(dependsOn(graph, containerApp, only(json, 'azuread_application'))).toBe(true);
    expect(dependsOn(graph, only(json, 'azuread_application'), containerApp)).toBe(false);
    expect(envOf(json).ALLOWED_ORIGINS.value).toMatch(
      /^https:\/\/gatehouse-test\.\$\{[^}]+\},https:\/\/auth\.example\.com$/,
    );
  });

  it('the cycle check sees a cycle when one is introduced', () => {
    const json = synthJson((scope) => {
      const platform = platformIn(scope);
      platform.api.application.addOverride('notes', platform.runtime.runtimeFqdn);
    });
    expect(findCycle(dependencyGraph(json))).toEqual(
      expect.arrayContaining([expect.stringMatching(/^azurerm_container_app\./)]),
    );
  });

  it('reaches the vault from the runtime through a private endpoint, its privatelink zone linked to the network', () => {
    const json = synthPlatform();
    expect(single(json, 'azurerm_virtual_network')).toMatchObject({
      name: 'gatehouse-test-vnet',
      address_space: ['10.40.0.0/16'],
    });
    const subnets = Object.fromEntries(
      Object.entries(json.resource.azurerm_subnet).map(([id, subnet]) => [subnet.name, { id, ...subnet }]),
    ) as Record<string, Record<string, unknown>>;
    expect(subnets.runtime).toMatchObject({
      address_prefixes: ['10.40.0.0/23'],
      // What a workload-profiles Container Apps environment requires of its subnet.
      delegation: [
        {
          name: 'container-apps',
          service_delegation: {
            name: 'Microsoft.App/environments',
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });
    expect(subnets['private-endpoints'].delegation).toBeUndefined();
    expect(subnets['private-endpoints']).toMatchObject({ address_prefixes: ['10.40.2.0/24'] });
    expect(Object.values(subnets).map((subnet) => subnet.service_endpoints)).toEqual([undefined, undefined, undefined]);
    const zone = named(json, 'azurerm_private_dns_zone')['privatelink.vaultcore.azure.net'];
    expect(zone).toMatchObject({ resource_group_name: 'rg-test' });
    const [vaultLink] = linksOf(json, 'privatelink.vaultcore.azure.net');
    expect(linksOf(json, 'privatelink.vaultcore.azure.net')).toHaveLength(1);
    expect(vaultLink).toMatchObject({
      name: 'gatehouse-test-vnet',
      virtual_network_id: ref('azurerm_virtual_network', 'id'),
      registration_enabled: false,
    });
    const endpoint = single(json, 'azurerm_private_endpoint');
    expect(endpoint).toMatchObject({
      name: 'kv-gatehouse-test-pe',
      subnet_id: `\${azurerm_subnet.${subnets['private-endpoints'].id}.id}`,
      private_service_connection: {
        name: 'kv-gatehouse-test-vault',
        private_connection_resource_id: ref('azurerm_key_vault', 'id'),
        subresource_names: ['vault'],
        is_manual_connection: false,
      },
      private_dns_zone_group: { name: 'vault', private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zone.id}.id}`] },
      depends_on: [`azurerm_private_dns_zone_virtual_network_link.${vaultLink.id}`],
    });
    // The deployer writes secrets over the firewall's IP rule; the runtime subnet is not a firewall entry any more.
    expect(single(json, 'azurerm_key_vault')).toMatchObject({
      public_network_access_enabled: true,
      network_acls: { default_action: 'Deny', ip_rules: ['198.51.100.7'], virtual_network_subnet_ids: [] },
    });
    const graph = dependencyGraph(json);
    expect(dependsOn(graph, only(json, 'azurerm_container_app'), only(json, 'azurerm_private_endpoint'))).toBe(true);
    expect(single(json, 'azurerm_container_app_environment').infrastructure_subnet_id).toEqual(
      `\${azurerm_subnet.${subnets.runtime.id}.id}`,
    );
  });

  it('deploys from a peered runner network with public access off when the deployer reaches the vault privately', () => {
    const runnerNetwork =
      '/subscriptions/s/resourceGroups/rg-runners/providers/Microsoft.Network/virtualNetworks/vnet-runners';
    const json = synthPlatform({
      keyVault: {
        name: 'kv-gatehouse-test',
        deployerAccess: { kind: 'privateNetwork', virtualNetworkId: runnerNetwork },
      },
    });
    expect(single(json, 'azurerm_key_vault')).toMatchObject({
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', ip_rules: [], virtual_network_subnet_ids: [] },
    });
    expect(
      allOf(json, 'azurerm_virtual_network_peering').map((peering) => [
        peering.name,
        peering.resource_group_name,
        peering.virtual_network_name,
        peering.remote_virtual_network_id,
      ]),
    ).toEqual(
      expect.arrayContaining([
        ['gatehouse-test-to-deployer', 'rg-test', ref('azurerm_virtual_network', 'name'), runnerNetwork],
        ['deployer-to-gatehouse-test', 'rg-runners', 'vnet-runners', ref('azurerm_virtual_network', 'id')],
      ]),
    );
    expect(allOf(json, 'azurerm_virtual_network_peering')).toHaveLength(2);
    const vaultLinks = linksOf(json, 'privatelink.vaultcore.azure.net');
    expect(vaultLinks.map((link) => link.virtual_network_id)).toEqual(
      expect.arrayContaining([ref('azurerm_virtual_network', 'id'), runnerNetwork]),
    );
    expect(vaultLinks).toHaveLength(2);
    const endpoint = only(json, 'azurerm_private_endpoint');
    expect((single(json, 'azurerm_private_endpoint').depends_on as string[]).sort()).toEqual(
      [
        ...vaultLinks.map((link) => `azurerm_private_dns_zone_virtual_network_link.${link.id}`),
        ...Object.keys(json.resource.azurerm_virtual_network_peering).map(
          (id) => `azurerm_virtual_network_peering.${id}`,
        ),
      ].sort(),
    );
    // Every secret write waits for the private path (the endpoint, which waits for the links and peerings).
    for (const secret of Object.values(json.resource.azurerm_key_vault_secret)) {
      expect(secret.depends_on).toContain(endpoint);
    }
  });

  it('keeps the database private: a delegated subnet, its own private zone linked to the network, no public access', () => {
    const json = synthPlatform();
    const subnets = named(json, 'azurerm_subnet');
    expect(subnets.database).toMatchObject({
      address_prefixes: ['10.40.3.0/24'],
      delegation: [
        {
          name: 'postgresql',
          service_delegation: {
            name: 'Microsoft.DBforPostgreSQL/flexibleServers',
            actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
          },
        },
      ],
    });
    const zone = named(json, 'azurerm_private_dns_zone')['gatehouse-test.private.postgres.database.azure.com'];
    const [link] = linksOf(json, 'gatehouse-test.private.postgres.database.azure.com');
    expect(link).toMatchObject({
      virtual_network_id: ref('azurerm_virtual_network', 'id'),
      registration_enabled: false,
    });
    expect(single(json, 'azurerm_postgresql_flexible_server')).toMatchObject({
      public_network_access_enabled: false,
      delegated_subnet_id: `\${azurerm_subnet.${subnets.database.id}.id}`,
      private_dns_zone_id: `\${azurerm_private_dns_zone.${zone.id}.id}`,
      depends_on: [`azurerm_private_dns_zone_virtual_network_link.${link.id}`],
    });
    expect(allOf(json, 'azurerm_postgresql_flexible_server_firewall_rule')).toHaveLength(0);
  });

  it('uses an existing network when given one, still linking the zone to it', () => {
    const network = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/hub';
    const json = synthPlatform({
      network: {
        virtualNetworkId: network,
        runtimeSubnetId: `${network}/subnets/apps`,
        privateEndpointSubnetId: `${network}/subnets/endpoints`,
        databaseSubnetId: `${network}/subnets/database`,
      },
      runtime: { ...base.runtime, zoneRedundancyEnabled: true },
    });
    expect(json.resource.azurerm_virtual_network).toBeUndefined();
    expect(json.resource.azurerm_subnet).toBeUndefined();
    expect(allOf(json, 'azurerm_private_dns_zone_virtual_network_link').map((link) => link.virtual_network_id)).toEqual(
      [network, network],
    );
    expect(single(json, 'azurerm_private_endpoint').subnet_id).toBe(`${network}/subnets/endpoints`);
    expect(single(json, 'azurerm_postgresql_flexible_server').delegated_subnet_id).toBe(`${network}/subnets/database`);
    expect(single(json, 'azurerm_container_app_environment')).toMatchObject({
      infrastructure_subnet_id: `${network}/subnets/apps`,
      zone_redundancy_enabled: true,
    });
  });

  it('hands the runtime the rotated client secret from Key Vault in clientSecret mode', () => {
    const json = synthPlatform({ runtimeCredential: 'clientSecret' });
    expect(allOf(json, 'azuread_application_federated_identity_credential')).toHaveLength(0);
    expect(single(json, 'azuread_application_password')).toMatchObject({
      application_id: ref('azuread_application', 'id'),
    });
    const secret = allOf(json, 'azurerm_key_vault_secret').find((s) => s.name === 'gatehouse-client-secret');
    expect(secret).toMatchObject({ value: ref('azuread_application_password', 'value') });
    const [secretId] = Object.entries(json.resource.azurerm_key_vault_secret).find(
      ([, s]) => s.name === 'gatehouse-client-secret',
    ) as [string, unknown];
    const app = single(json, 'azurerm_container_app') as { secret: Array<Record<string, unknown>> };
    expect(app.secret.find((s) => s.name === 'oidc-client-secret')).toEqual({
      name: 'oidc-client-secret',
      key_vault_secret_id: `\${azurerm_key_vault_secret.${secretId}.versionless_id}`,
      identity: ref('azurerm_user_assigned_identity', 'id'),
    });
    expect(envOf(json).OIDC_CLIENT_SECRET).toEqual({ secret_name: 'oidc-client-secret' });
    expect(envOf(json).OIDC_CLIENT_AUTH).toBeUndefined();
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  it('adds client-credential apps with their scopes and secrets in the vault', () => {
    const json = synthPlatform({ clients: [{ id: 'Reporter', scopes: ['search:read', 'incidents:read'] }] });
    expect(allOf(json, 'azuread_application').map((a) => a.display_name)).toEqual(['gatehouse', 'gatehouse-reporter']);
    expect(allOf(json, 'azuread_app_role_assignment')).toHaveLength(2);
    expect(allOf(json, 'azurerm_key_vault_secret').map((s) => s.name)).toContain('gatehouse-reporter-client-secret');
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  it('gives the runtime the catalog the app registration publishes', () => {
    const catalog = extendCatalog(defaultCatalog, {
      scopes: [{ value: 'tickets:read', description: 'Read tickets' }],
      grants: { analyst: ['tickets:read'] },
    });
    const json = synthPlatform({ catalog });
    expect(envOf(json).CATALOG_JSON.value).toBe(catalogToJson(catalog));
    const roles = (single(json, 'azuread_application').app_role as Array<{ value: string }>).map((r) => r.value);
    expect(roles).toContain('tickets:read');
  });

  it('passes runtime settings through (sizing, database, Redis)', () => {
    const json = synthPlatform({
      runtime: {
        image: { kind: 'prebuilt', reference: IMAGE },
        cpu: 1,
        memory: '2Gi',
        minReplicas: 2,
        maxReplicas: 6,
        database: { skuName: 'GP_Standard_D2ds_v5', highAvailabilityEnabled: true },
        redis: { skuName: 'Standard', capacity: 1 },
      },
    });
    expect(single(json, 'azurerm_container_app').template).toMatchObject({ min_replicas: 2, max_replicas: 6 });
    expect(single(json, 'azurerm_postgresql_flexible_server').high_availability).toEqual({ mode: 'ZoneRedundant' });
    expect(envOf(json).REDIS_URL).toEqual({ secret_name: 'redis-url' });
  });

  it('passes the gatehouse policy in a full stack synth', () => {
    const stack = testStack();
    platformIn(stack, {
      runtimeCredential: 'clientSecret',
      clients: [{ id: 'Reporter', scopes: ['search:read'] }],
      runtime: { image: { kind: 'prebuilt', reference: IMAGE }, redis: {}, database: { authentication: 'password' } },
    });
    Aspects.of(stack).add(new GatehousePolicy());
    const json = JSON.parse(Testing.synth(stack, true));
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  describe('fails when', () => {
    it('the tenant is not a GUID', () =>
      expect(() => synthPlatform({ tenantId: 'contoso' })).toThrow(
        'Platform: tenantId must be an Entra tenant id (GUID); got "contoso"',
      ));
    it('two clients share an id', () =>
      expect(() =>
        synthPlatform({
          clients: [
            { id: 'Reporter', scopes: ['search:read'] },
            { id: 'Reporter', scopes: ['graph:read'] },
          ],
        }),
      ).toThrow('Platform: clients[].id must be a list without duplicate values; got "Reporter"'));
    it('an origin uses http outside loopback', () =>
      expect(() => synthPlatform({ additionalOrigins: ['http://auth.example.com'] })).toThrow(
        'Platform/Api: redirectUris[1] must be an absolute https URL without a fragment (loopback http is not allowed in this environment); got "http://auth.example.com/auth/callback"',
      ));
    it('the runtime subnet is smaller than a /27 or outside the address space', () => {
      expect(() => synthPlatform({ network: { runtimeSubnetPrefix: '10.40.0.0/28' } })).toThrow(
        'Platform/Network: network.runtimeSubnetPrefix must be an IPv4 CIDR range from /16 to /27 with no host bits set; got "10.40.0.0/28"',
      );
      expect(() => synthPlatform({ network: { runtimeSubnetPrefix: '10.50.0.0/23' } })).toThrow(
        'Platform/Network: network.runtimeSubnetPrefix must be a range inside 10.40.0.0/16; got "10.50.0.0/23"',
      );
      expect(() => synthPlatform({ network: { addressSpace: '10.40.0.1/16' } })).toThrow(
        'Platform/Network: network.addressSpace must be an IPv4 CIDR range from /8 to /29 with no host bits set; got "10.40.0.1/16"',
      );
    });
    it('the deployer has no declared path to the firewalled vault', () => {
      const noPath = { name: 'kv-gatehouse-test' } as AuthPlatformProps['keyVault'];
      expect(() => synthPlatform({ keyVault: noPath })).toThrow(
        /Platform\/KeyVault: deployerAccess must be \{ kind: "ipRanges", ipRanges: \[<deploy runner egress>\] \} or \{ kind: "privateNetwork" \} with privateEndpoint \(the firewall refuses every other caller, so secret writes would fail with 403 ForbiddenByFirewall\); got undefined$/,
      );
      expect(() =>
        synthPlatform({ keyVault: { name: 'kv-gatehouse-test', deployerAccess: { kind: 'ipRanges', ipRanges: [] } } }),
      ).toThrow('Platform/KeyVault: deployerAccess.ipRanges must be at least one IPv4 address or CIDR range; got []');
    });
    it('the private-endpoint subnet overlaps the runtime subnet', () =>
      expect(() => synthPlatform({ network: { privateEndpointSubnetPrefix: '10.40.1.0/24' } })).toThrow(
        'Platform/Network: network.privateEndpointSubnetPrefix must be a range that does not overlap network.runtimeSubnetPrefix (10.40.0.0/23); got "10.40.1.0/24"',
      ));
    it('the runner network is not a virtual network id', () =>
      expect(() =>
        synthPlatform({
          keyVault: {
            name: 'kv-gatehouse-test',
            deployerAccess: { kind: 'privateNetwork', virtualNetworkId: 'vnet-runners' },
          },
        }),
      ).toThrow(
        /Platform\/Network: deployerVirtualNetworkId must be a virtual network resource id .*; got "vnet-runners"$/,
      ));
    it('a client asks for a scope the catalog lacks', () =>
      expect(() => synthPlatform({ clients: [{ id: 'Reporter', scopes: ['graph:delete'] }] })).toThrow(
        /Platform\/Api\/Reporter: scopes must be catalog scopes/,
      ));
  });
});
