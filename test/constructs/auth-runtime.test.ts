import { Aspects, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { catalogToJson, defaultCatalog, extendCatalog } from '../../catalog/index.js';
import { AuthKeyVault } from '../../constructs/auth-key-vault/index.js';
import { AuthRuntime, type AuthRuntimeProps, DATABASE_ROLES_SCRIPT } from '../../constructs/auth-runtime/index.js';
import { GatehousePolicy } from '../../constructs/core/index.js';
import { dependencyGraph, dependsOn, findPlaintextSecrets } from './auth-runtime-scan.js';
import { allOf, dep, ref, type SynthJson, single, synthJson, testStack } from './synth-helpers.js';

const DIGEST_IMAGE = `ghcr.io/example/gatehouse-runtime@sha256:${'a'.repeat(64)}`;

const PRIVATE_DATABASE = {
  delegatedSubnetId:
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/database',
  privateDnsZoneId:
    '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/gatehouse-test.private.postgres.database.azure.com',
};

type RuntimeOverrides = Partial<Omit<AuthRuntimeProps, 'keyVault'>>;

function runtimeIn(scope: Construct, overrides: RuntimeOverrides = {}): AuthRuntime {
  const keyVault = new AuthKeyVault(scope, 'Vault', {
    name: 'kv-gatehouse-test',
    resourceGroupName: 'rg-test',
    location: 'westeurope',
    deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
  });
  return new AuthRuntime(scope, 'Runtime', {
    name: 'gatehouse-test',
    resourceGroupName: 'rg-test',
    location: 'westeurope',
    keyVault,
    image: { kind: 'prebuilt', reference: DIGEST_IMAGE },
    ...overrides,
    database: { ...PRIVATE_DATABASE, ...overrides.database },
  });
}

function synthRuntime(overrides: RuntimeOverrides = {}): SynthJson {
  return synthJson((scope) => {
    runtimeIn(scope, overrides);
  });
}

interface Container {
  image: string;
  cpu: number;
  memory: string;
  env: Array<{ name: string; value?: string; secret_name?: string }>;
  liveness_probe: Array<Record<string, unknown>>;
  readiness_probe: Array<Record<string, unknown>>;
  startup_probe: Array<Record<string, unknown>>;
}

function containerOf(json: SynthJson): Container {
  const app = single(json, 'azurerm_container_app') as { template: { container: Container[] } };
  expect(app.template.container).toHaveLength(1);
  return app.template.container[0];
}

function envOf(json: SynthJson): Record<string, { value?: string; secret_name?: string }> {
  return Object.fromEntries(containerOf(json).env.map(({ name, ...rest }) => [name, rest]));
}

/** The address of the one resource of `type` whose construct path ends with `pathSuffix` (logical ids encode it). */
function addressOf(json: SynthJson, type: string, pathSuffix: string): string {
  const idPattern = new RegExp(`(?:^|_)${pathSuffix.replace(/\//g, '_').replace(/_Resource$/, '')}_[0-9A-F]{8}$`);
  const found = Object.keys(json.resource[type] ?? {}).filter((logicalId) => idPattern.test(logicalId));
  if (found.length !== 1) throw new Error(`expected one ${type} at ${pathSuffix}, found ${found.length}`);
  return `${type}.${found[0]}`;
}

describe('AuthRuntime', () => {
  it('runs a single-revision app with https-only ingress, probes and an HTTP concurrency scale rule', () => {
    const json = synthRuntime();
    const app = single(json, 'azurerm_container_app');
    expect(app).toMatchObject({
      name: 'gatehouse-test',
      revision_mode: 'Single',
      container_app_environment_id: ref('azurerm_container_app_environment', 'id'),
      identity: { type: 'UserAssigned', identity_ids: [ref('azurerm_user_assigned_identity', 'id')] },
      ingress: {
        external_enabled: true,
        target_port: 8080,
        allow_insecure_connections: false,
        traffic_weight: [{ latest_revision: true, percentage: 100 }],
      },
      template: {
        min_replicas: 1,
        max_replicas: 3,
        http_scale_rule: [{ name: 'http-concurrency', concurrent_requests: '50' }],
      },
    });
    const container = containerOf(json);
    expect(container).toMatchObject({ image: DIGEST_IMAGE, cpu: 0.5, memory: '1Gi' });
    expect(container.liveness_probe).toEqual([
      { transport: 'HTTP', path: '/healthz', port: 8080, interval_seconds: 10, failure_count_threshold: 3 },
    ]);
    expect(container.readiness_probe).toEqual([
      { transport: 'HTTP', path: '/readyz', port: 8080, interval_seconds: 5, failure_count_threshold: 3 },
    ]);
    expect(container.startup_probe[0]).toMatchObject({ transport: 'HTTP', path: '/healthz', port: 8080 });
    expect(app.registry).toBeUndefined();
    expect(single(json, 'azurerm_container_app_environment')).toMatchObject({
      name: 'gatehouse-test-env',
      log_analytics_workspace_id: ref('azurerm_log_analytics_workspace', 'id'),
      zone_redundancy_enabled: false,
    });
    expect(single(json, 'azurerm_log_analytics_workspace')).toMatchObject({ sku: 'PerGB2018', retention_in_days: 30 });
  });

  it('runs on the Consumption profile of a workload-profiles environment that logs to Log Analytics explicitly', () => {
    const json = synthRuntime();
    expect(single(json, 'azurerm_container_app_environment')).toMatchObject({
      workload_profile: [{ name: 'Consumption', workload_profile_type: 'Consumption' }],
      infrastructure_resource_group_name: 'gatehouse-test-env-infra',
      logs_destination: 'log-analytics',
      log_analytics_workspace_id: ref('azurerm_log_analytics_workspace', 'id'),
    });
    expect(single(json, 'azurerm_container_app').workload_profile_name).toBe('Consumption');
    const named = synthRuntime({ infrastructureResourceGroupName: 'rg-gatehouse-env-infra' });
    expect(single(named, 'azurerm_container_app_environment').infrastructure_resource_group_name).toBe(
      'rg-gatehouse-env-infra',
    );
  });

  it('passes non-secret configuration as env and computes PUBLIC_URL without referencing the app itself', () => {
    const catalog = extendCatalog(defaultCatalog, {
      scopes: [{ value: 'tickets:read', description: 'Read tickets' }],
      grants: { analyst: ['tickets:read'] },
    });
    const json = synthRuntime({
      catalog,
      accessTokenTtlSeconds: 600,
      refreshTokenTtlSeconds: 86_400,
      sessionMaxLifetimeSeconds: 604_800,
    });
    const env = envOf(json);
    const publicUrl = env.PUBLIC_URL.value as string;
    expect(publicUrl).toMatch(
      /^https:\/\/gatehouse-test\.\$\{azurerm_container_app_environment\.[\w-]+\.default_domain\}$/,
    );
    expect(env).toMatchObject({
      NODE_ENV: { value: 'production' },
      PORT: { value: '8080' },
      ALLOWED_ORIGINS: { value: publicUrl },
      CATALOG_JSON: { value: catalogToJson(catalog) },
      ACCESS_TOKEN_TTL_SECONDS: { value: '600' },
      REFRESH_TOKEN_TTL_SECONDS: { value: '86400' },
      SESSION_MAX_LIFETIME_SECONDS: { value: '604800' },
      AZURE_CLIENT_ID: { value: ref('azurerm_user_assigned_identity', 'client_id') },
    });
    expect(env.OIDC_ISSUER).toBeUndefined();
    expect(JSON.stringify(single(json, 'azurerm_container_app').template)).not.toMatch(/azurerm_container_app\./);
  });

  it('surfaces every secret as a Key Vault reference (versionless id) bound to the identity', () => {
    const json = synthRuntime({
      database: { authentication: 'password' },
      redis: {},
      oidc: {
        issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0',
        clientId: 'client-id',
        clientAuthentication: { kind: 'managedIdentityAssertion' },
      },
    });
    const app = single(json, 'azurerm_container_app') as { secret: Array<Record<string, unknown>> };
    expect(app.secret.map((secret) => secret.name)).toEqual([
      'key-encryption-key',
      'api-key-pepper',
      'database-url',
      'redis-url',
    ]);
    for (const secret of app.secret) {
      expect(Object.keys(secret).sort()).toEqual(['identity', 'key_vault_secret_id', 'name']);
      expect(secret.identity).toEqual(ref('azurerm_user_assigned_identity', 'id'));
      expect(secret.key_vault_secret_id).toEqual(ref('azurerm_key_vault_secret', 'versionless_id'));
    }
    const env = envOf(json);
    expect(env.KEY_ENCRYPTION_KEY).toEqual({ secret_name: 'key-encryption-key' });
    expect(env.API_KEY_PEPPER).toEqual({ secret_name: 'api-key-pepper' });
    expect(env.DATABASE_URL).toEqual({ secret_name: 'database-url' });
    expect(env.REDIS_URL).toEqual({ secret_name: 'redis-url' });
    const referenced = new Set(
      containerOf(json)
        .env.map((entry) => entry.secret_name)
        .filter(Boolean),
    );
    expect(referenced).toEqual(new Set(app.secret.map((secret) => secret.name)));
    // The KEK and pepper are generated as letters and digits (base64-decodable, 48 bytes) and never rotate.
    const passwords = allOf(json, 'random_password');
    expect(passwords).toHaveLength(3);
    for (const password of passwords) {
      expect(password).toMatchObject({ special: false });
      expect(password.keepers).toBeUndefined();
    }
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  it('grants Key Vault Secrets User on the vault only, and AcrPull on the registry only', () => {
    const registryId = '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/crshared';
    const json = synthRuntime({
      image: {
        kind: 'prebuilt',
        reference: 'crshared.azurecr.io/gatehouse-runtime:1.4.2',
        registry: { id: registryId, loginServer: 'crshared.azurecr.io' },
      },
    });
    const grants = allOf(json, 'azurerm_role_assignment').filter((grant) =>
      String(grant.principal_id).includes('azurerm_user_assigned_identity.'),
    );
    const byRole = Object.fromEntries(grants.map((grant) => [grant.role_definition_name, grant]));
    expect(Object.keys(byRole).sort()).toEqual(['AcrPull', 'Key Vault Secrets User']);
    expect(byRole['Key Vault Secrets User']).toMatchObject({
      scope: ref('azurerm_key_vault', 'id'),
      principal_id: ref('azurerm_user_assigned_identity', 'principal_id'),
      principal_type: 'ServicePrincipal',
    });
    expect(byRole.AcrPull).toMatchObject({
      scope: registryId,
      principal_id: ref('azurerm_user_assigned_identity', 'principal_id'),
    });
    expect(single(json, 'azurerm_container_app').registry).toEqual([
      { server: 'crshared.azurecr.io', identity: ref('azurerm_user_assigned_identity', 'id') },
    ]);
  });

  it('creates the identity and its grants before the app (depends_on a propagation delay)', () => {
    const json = synthRuntime();
    const sleepAddress = addressOf(json, 'time_sleep', 'Runtime/RbacPropagation');
    const [, sleepId] = sleepAddress.split('.');
    // The documented window (up to 10 minutes), waited once: no triggers, nothing on destroy.
    expect(json.resource.time_sleep[sleepId]).toEqual({
      create_duration: '600s',
      depends_on: expect.arrayContaining([dep('azurerm_role_assignment')]),
    });
    const app = single(json, 'azurerm_container_app');
    expect(app.depends_on).toEqual([sleepAddress]);
    const graph = dependencyGraph(json);
    const appAddress = addressOf(json, 'azurerm_container_app', 'Runtime/Resource');
    expect(dependsOn(graph, appAddress, addressOf(json, 'azurerm_role_assignment', 'Vault/RuntimeSecretsUser'))).toBe(
      true,
    );
    expect(dependsOn(graph, addressOf(json, 'azurerm_user_assigned_identity', 'Runtime/Identity'), appAddress)).toBe(
      false,
    );
  });

  describe('database', () => {
    it('defaults to the smallest burstable private server, administered by an identity that is not the runtime', () => {
      const json = synthRuntime();
      expect(single(json, 'azurerm_postgresql_flexible_server')).toMatchObject({
        name: 'gatehouse-test-pg',
        sku_name: 'B_Standard_B1ms',
        version: '16',
        storage_mb: 32768,
        backup_retention_days: 7,
        geo_redundant_backup_enabled: false,
        public_network_access_enabled: false,
        delegated_subnet_id: PRIVATE_DATABASE.delegatedSubnetId,
        private_dns_zone_id: PRIVATE_DATABASE.privateDnsZoneId,
        authentication: { active_directory_auth_enabled: true, password_auth_enabled: false },
      });
      const server = single(json, 'azurerm_postgresql_flexible_server');
      expect(server.administrator_login).toBeUndefined();
      expect(server.administrator_password).toBeUndefined();
      expect(server.high_availability).toBeUndefined();
      // No "allow all Azure services" rule, no rule at all.
      expect(allOf(json, 'azurerm_postgresql_flexible_server_firewall_rule')).toHaveLength(0);
      const identities = json.resource.azurerm_user_assigned_identity;
      const adminId = Object.keys(identities).find((id) => identities[id].name === 'gatehouse-test-pg-admin');
      const runtimeId = Object.keys(identities).find((id) => identities[id].name === 'gatehouse-test-id');
      expect(adminId).toBeDefined();
      expect(single(json, 'azurerm_postgresql_flexible_server_active_directory_administrator')).toEqual({
        server_name: ref('azurerm_postgresql_flexible_server', 'name'),
        resource_group_name: 'rg-test',
        object_id: `\${azurerm_user_assigned_identity.${adminId}.principal_id}`,
        principal_name: `\${azurerm_user_assigned_identity.${adminId}.name}`,
        principal_type: 'ServicePrincipal',
        tenant_id: ref('azurerm_key_vault', 'tenant_id'),
      });
      expect(single(json, 'azurerm_postgresql_flexible_server_database')).toMatchObject({ name: 'gatehouse' });
      const env = envOf(json);
      // The runtime signs in as its own role, named after its identity.
      expect(env.DATABASE_URL.value).toBe(
        `postgres://\${azurerm_user_assigned_identity.${runtimeId}.name}@\${azurerm_postgresql_flexible_server.${Object.keys(json.resource.azurerm_postgresql_flexible_server)[0]}.fqdn}:5432/gatehouse?sslmode=require`,
      );
      expect(env.DATABASE_AUTH).toEqual({ value: 'managed-identity' });
    });

    it("creates the runtime's least-privilege role with a job that runs as the administrator identity", () => {
      const json = synthRuntime();
      const identities = json.resource.azurerm_user_assigned_identity;
      const adminId = Object.keys(identities).find((id) => identities[id].name === 'gatehouse-test-pg-admin');
      const runtimeId = Object.keys(identities).find((id) => identities[id].name === 'gatehouse-test-id');
      const job = single(json, 'azurerm_container_app_job') as {
        template: { container: Array<{ command: string[]; env: Array<{ name: string; value: string }> }> };
      };
      expect(job).toMatchObject({
        name: 'gatehouse-test-db-roles',
        container_app_environment_id: ref('azurerm_container_app_environment', 'id'),
        workload_profile_name: 'Consumption',
        identity: { type: 'UserAssigned', identity_ids: [`\${azurerm_user_assigned_identity.${adminId}.id}`] },
        manual_trigger_config: { parallelism: 1, replica_completion_count: 1 },
        replica_timeout_in_seconds: 300,
      });
      const [container] = job.template.container;
      expect(container).toMatchObject({ image: 'docker.io/library/postgres:16-alpine', cpu: 0.25, memory: '0.5Gi' });
      expect(container.command).toEqual(['/bin/sh', '-c', DATABASE_ROLES_SCRIPT]);
      expect(Object.fromEntries(container.env.map((e) => [e.name, e.value]))).toEqual({
        ADMIN_CLIENT_ID: `\${azurerm_user_assigned_identity.${adminId}.client_id}`,
        PGUSER: `\${azurerm_user_assigned_identity.${adminId}.name}`,
        PGHOST: ref('azurerm_postgresql_flexible_server', 'fqdn'),
        PGPORT: '5432',
        PGSSLMODE: 'require',
        PGDATABASE: 'gatehouse',
        RUNTIME_ROLE: `\${azurerm_user_assigned_identity.${runtimeId}.name}`,
        RUNTIME_OBJECT_ID: `\${azurerm_user_assigned_identity.${runtimeId}.principal_id}`,
      });
      // What the role gets: its own principal (by object id), CONNECT/TEMPORARY and the public schema, nothing else.
      expect(DATABASE_ROLES_SCRIPT).toContain(
        "SELECT pgaadauth_create_principal_with_oid(:'role', :'oid', 'service', false, false) WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'role');",
      );
      expect(DATABASE_ROLES_SCRIPT).toContain('GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"role";');
      expect(DATABASE_ROLES_SCRIPT).toContain('GRANT USAGE, CREATE ON SCHEMA public TO :"role";');
      expect(DATABASE_ROLES_SCRIPT).not.toMatch(/azure_pg_admin|SUPERUSER|CREATEROLE|ALL PRIVILEGES/i);
      // Terraform would read these as template syntax.
      expect(DATABASE_ROLES_SCRIPT).not.toMatch(/[$%]\{/);
      // The runtime's own identity holds no administrator assignment.
      expect(
        allOf(json, 'azurerm_postgresql_flexible_server_active_directory_administrator').map((a) => a.object_id),
      ).not.toContain(`\${azurerm_user_assigned_identity.${runtimeId}.principal_id}`);
    });

    it('keeps a generated admin password and the connection URL in Key Vault in password mode', () => {
      const json = synthRuntime({ database: { authentication: 'password' } });
      const server = single(json, 'azurerm_postgresql_flexible_server');
      expect(server).toMatchObject({
        authentication: { active_directory_auth_enabled: false, password_auth_enabled: true },
        administrator_login: 'gatehouse_admin',
        administrator_password: ref('azurerm_key_vault_secret', 'value'),
      });
      expect(allOf(json, 'azurerm_postgresql_flexible_server_active_directory_administrator')).toHaveLength(0);
      const urlSecret = allOf(json, 'azurerm_key_vault_secret').find((s) => s.name === 'gatehouse-test-database-url');
      expect(urlSecret?.value).toMatch(
        /^postgres:\/\/gatehouse_admin:\$\{azurerm_key_vault_secret\.[\w-]+\.value\}@\$\{azurerm_postgresql_flexible_server\.[\w-]+\.fqdn\}:5432\/gatehouse\?sslmode=require$/,
      );
      expect(envOf(json).DATABASE_AUTH).toBeUndefined();
      expect(findPlaintextSecrets(json)).toEqual([]);
    });

    it('enables zone-redundant HA, longer and geo-redundant backups when asked', () => {
      const json = synthRuntime({
        database: {
          skuName: 'GP_Standard_D2ds_v5',
          highAvailabilityEnabled: true,
          backupRetentionDays: 35,
          geoRedundantBackupEnabled: true,
          delegatedSubnetId: '/subscriptions/s/subnets/postgres',
          privateDnsZoneId: '/subscriptions/s/privateDnsZones/private.postgres.database.azure.com',
        },
      });
      expect(single(json, 'azurerm_postgresql_flexible_server')).toMatchObject({
        sku_name: 'GP_Standard_D2ds_v5',
        high_availability: { mode: 'ZoneRedundant' },
        backup_retention_days: 35,
        geo_redundant_backup_enabled: true,
        public_network_access_enabled: false,
        delegated_subnet_id: '/subscriptions/s/subnets/postgres',
      });
      expect(allOf(json, 'azurerm_postgresql_flexible_server_firewall_rule')).toHaveLength(0);
    });
  });

  it('adds Redis with TLS only and its URL (access key inside) as a Key Vault reference', () => {
    const json = synthRuntime({ redis: { skuName: 'Standard', capacity: 1 } });
    expect(single(json, 'azurerm_redis_cache')).toMatchObject({
      name: 'gatehouse-test-redis',
      sku_name: 'Standard',
      family: 'C',
      capacity: 1,
      minimum_tls_version: '1.2',
      non_ssl_port_enabled: false,
    });
    const urlSecret = allOf(json, 'azurerm_key_vault_secret').find((s) => s.name === 'gatehouse-test-redis-url');
    expect(urlSecret?.value).toMatch(
      /^rediss:\/\/:\$\{urlencode\(azurerm_redis_cache\.[\w-]+\.primary_access_key\)\}@/,
    );
    expect(envOf(json).REDIS_URL).toEqual({ secret_name: 'redis-url' });
    expect(findPlaintextSecrets(json)).toEqual([]);
  });

  it('pulls a registry image by digest with its identity, which gets AcrPull on that registry only', () => {
    const registry = {
      id: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/crgatehousetest',
      loginServer: 'crgatehousetest.azurecr.io',
    };
    const reference = `crgatehousetest.azurecr.io/gatehouse-runtime@sha256:${'e'.repeat(64)}`;
    const json = synthRuntime({ image: { kind: 'prebuilt', reference, registry } });
    expect(containerOf(json).image).toBe(reference);
    const acrPull = allOf(json, 'azurerm_role_assignment').find((grant) => grant.role_definition_name === 'AcrPull');
    expect(acrPull).toMatchObject({ scope: registry.id, principal_type: 'ServicePrincipal' });
    expect(single(json, 'azurerm_container_app').registry).toEqual([
      { server: 'crgatehousetest.azurecr.io', identity: ref('azurerm_user_assigned_identity', 'id') },
    ]);
    // Terraform neither builds nor pushes: no registry, token or Docker resource of its own.
    for (const type of [
      'azurerm_container_registry',
      'azurerm_container_registry_token',
      'azurerm_container_registry_token_password',
      'docker_image',
      'docker_registry_image',
    ]) {
      expect(json.resource[type]).toBeUndefined();
    }
  });

  describe('OIDC client authentication', () => {
    const issuer = 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0';

    it('reads a client secret from Key Vault', () => {
      const json = synthJson((scope) => {
        runtimeIn(scope);
        const vault = scope.node.findChild('Vault') as AuthKeyVault;
        const secret = vault.addGeneratedSecret('oidc-secret');
        new AuthRuntime(scope, 'Second', {
          name: 'gatehouse-second',
          resourceGroupName: 'rg-test',
          location: 'westeurope',
          keyVault: vault,
          image: { kind: 'prebuilt', reference: DIGEST_IMAGE },
          database: PRIVATE_DATABASE,
          oidc: {
            issuer,
            clientId: 'abc',
            audience: 'api://x',
            clientAuthentication: { kind: 'clientSecret', secret },
          },
        });
      });
      const second = allOf(json, 'azurerm_container_app').find((app) => app.name === 'gatehouse-second') as {
        secret: Array<Record<string, unknown>>;
        template: { container: Container[] };
      };
      const env = Object.fromEntries(second.template.container[0].env.map(({ name, ...rest }) => [name, rest]));
      expect(env).toMatchObject({
        OIDC_ISSUER: { value: issuer },
        OIDC_CLIENT_ID: { value: 'abc' },
        OIDC_AUDIENCE: { value: 'api://x' },
        OIDC_CLIENT_SECRET: { secret_name: 'oidc-client-secret' },
      });
      expect(env.OIDC_CLIENT_AUTH).toBeUndefined();
      expect(second.secret.find((s) => s.name === 'oidc-client-secret')).toMatchObject({
        key_vault_secret_id: ref('azurerm_key_vault_secret', 'versionless_id'),
      });
      expect(findPlaintextSecrets(json)).toEqual([]);
    });

    it('presents a managed-identity assertion instead of a secret', () => {
      const env = envOf(
        synthRuntime({ oidc: { issuer, clientId: 'abc', clientAuthentication: { kind: 'managedIdentityAssertion' } } }),
      );
      expect(env).toMatchObject({ OIDC_CLIENT_AUTH: { value: 'managed-identity' }, OIDC_AUDIENCE: { value: 'abc' } });
      expect(env.OIDC_CLIENT_SECRET).toBeUndefined();
      expect(env.OIDC_APP_ID_URI).toBeUndefined();
    });

    it("passes the API's Application ID URI, which Entra v1 tokens may carry as aud", () => {
      const env = envOf(
        synthRuntime({
          oidc: {
            issuer,
            clientId: 'abc',
            appIdUri: 'api://gatehouse-dev',
            clientAuthentication: { kind: 'managedIdentityAssertion' },
          },
        }),
      );
      expect(env).toMatchObject({ OIDC_AUDIENCE: { value: 'abc' }, OIDC_APP_ID_URI: { value: 'api://gatehouse-dev' } });
    });
  });

  it('serves internal ingress on the environment-internal FQDN and honours network options', () => {
    const json = synthRuntime({
      ingressExternalEnabled: false,
      infrastructureSubnetId: '/subscriptions/s/subnets/apps',
      internalLoadBalancerEnabled: true,
      zoneRedundancyEnabled: true,
      logAnalyticsWorkspaceId: '/subscriptions/s/workspaces/shared',
      cpu: 2,
      memory: '4Gi',
      minReplicas: 2,
      maxReplicas: 10,
      concurrentRequestsPerReplica: 200,
    });
    expect(single(json, 'azurerm_container_app')).toMatchObject({
      ingress: { external_enabled: false },
      template: { min_replicas: 2, max_replicas: 10, http_scale_rule: [{ concurrent_requests: '200' }] },
    });
    expect(envOf(json).PUBLIC_URL.value).toMatch(/^https:\/\/gatehouse-test\.internal\.\$\{/);
    expect(single(json, 'azurerm_container_app_environment')).toMatchObject({
      infrastructure_subnet_id: '/subscriptions/s/subnets/apps',
      internal_load_balancer_enabled: true,
      zone_redundancy_enabled: true,
      log_analytics_workspace_id: '/subscriptions/s/workspaces/shared',
    });
    expect(allOf(json, 'azurerm_log_analytics_workspace')).toHaveLength(0);
    expect(containerOf(json)).toMatchObject({ cpu: 2, memory: '4Gi' });
  });

  it('passes the gatehouse policy in a full stack synth', () => {
    const stack = testStack();
    runtimeIn(stack, { database: { authentication: 'password' }, redis: {} });
    Aspects.of(stack).add(new GatehousePolicy());
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  it('finds a secret that leaks into env (the scan can fail)', () => {
    const json = synthJson((scope) => {
      const runtime = runtimeIn(scope);
      runtime.containerApp.addOverride('template.container.0.env.0.value', runtime.apiKeyPepper.secretResource.value);
      runtime.containerApp.addOverride('secret.0.value', 'hunter2');
    });
    expect(findPlaintextSecrets(json)).toEqual([
      expect.stringMatching(
        /^resource\.azurerm_container_app\.[\w-]+\.template\.container\[0\]\.env\[0\]\.value references azurerm_key_vault_secret\./,
      ),
      expect.stringMatching(/secret key-encryption-key has an inline value$/),
    ]);
  });

  describe('fails when', () => {
    const fails = (overrides: RuntimeOverrides, message: string | RegExp) =>
      expect(() => synthRuntime(overrides)).toThrow(message);

    it('minReplicas exceeds maxReplicas', () =>
      fails({ minReplicas: 4, maxReplicas: 2 }, 'Runtime: maxReplicas must be at least minReplicas (4); got 2'));
    it('maxReplicas is 0', () =>
      fails({ minReplicas: 0, maxReplicas: 0 }, 'Runtime: maxReplicas must be an integer from 1 to 300; got 0'));
    it('maxReplicas is above the Container Apps limit', () =>
      fails({ maxReplicas: 301 }, 'Runtime: maxReplicas must be an integer from 1 to 300; got 301'));
    it('the session lifetime is outside 300 s to a year', () => {
      fails(
        { sessionMaxLifetimeSeconds: 60 },
        'Runtime: sessionMaxLifetimeSeconds must be an integer from 300 to 31536000; got 60',
      );
      fails({ sessionMaxLifetimeSeconds: 31_536_001 }, /sessionMaxLifetimeSeconds .*got 31536001/);
    });
    it('minReplicas is negative or fractional', () => {
      fails({ minReplicas: -1 }, 'Runtime: minReplicas must be an integer from 0 to 300; got -1');
      fails({ minReplicas: 1.5 }, 'Runtime: minReplicas must be an integer from 0 to 300; got 1.5');
    });
    it('the CPU/memory pair is not offered by Container Apps', () => {
      fails(
        { cpu: 0.5, memory: '2Gi' },
        /Runtime: cpu\/memory must be one of the Container Apps pairs 0\.25\/0\.5Gi, 0\.5\/1Gi, .*4\/8Gi; got "0\.5\/2Gi"/,
      );
      fails({ cpu: 0.3, memory: '0.6Gi' }, /got "0\.3\/0\.6Gi"/);
      fails({ cpu: 8, memory: '16Gi' }, /got "8\/16Gi"/);
    });
    it('the image has neither tag nor digest', () => {
      fails(
        { image: { kind: 'prebuilt', reference: 'ghcr.io/example/gatehouse-runtime' } },
        'Runtime: image.reference must be an image reference with a tag or digest, e.g. "myregistry.azurecr.io/gatehouse@sha256:<64 hex>"; got "ghcr.io/example/gatehouse-runtime"',
      );
      fails({ image: { kind: 'prebuilt', reference: 'localhost:5000/gatehouse' } }, /got "localhost:5000\/gatehouse"/);
      fails({ image: { kind: 'prebuilt', reference: 'ghcr.io/x/y@sha256:abc' } }, /got "ghcr.io\/x\/y@sha256:abc"/);
    });
    it('zone redundancy is asked for without a subnet', () =>
      fails(
        { zoneRedundancyEnabled: true },
        'Runtime: zoneRedundancyEnabled must be false unless infrastructureSubnetId is given; got true',
      ));
    it('high availability is asked for on a burstable SKU', () =>
      fails(
        { database: { highAvailabilityEnabled: true } },
        'Runtime/Database: database.skuName must be a General Purpose (GP_) or Memory Optimized (MO_) SKU when highAvailabilityEnabled is true; got "B_Standard_B1ms"',
      ));
    it('the database has no private network (it takes no public connections)', () => {
      fails(
        { database: { delegatedSubnetId: undefined } },
        'Runtime/Database: database.delegatedSubnetId must be a subnet delegated to Microsoft.DBforPostgreSQL/flexibleServers (the server takes no public connections); got undefined',
      );
      fails(
        { database: { privateDnsZoneId: undefined } },
        'Runtime/Database: database.privateDnsZoneId must be a private DNS zone ending in .postgres.database.azure.com, linked to the network, given with delegatedSubnetId; got undefined',
      );
    });
    it('the name breaks the Container Apps naming rule', () =>
      fails(
        { name: 'Gatehouse_Test' },
        /Runtime: name must be 2-32 lower-case letters, digits or hyphens.*; got "Gatehouse_Test"/,
      ));
    it('asks Terraform to build the image', () =>
      fails(
        { image: { kind: 'build' } as unknown as AuthRuntimeProps['image'] },
        'Runtime: image.kind must be "prebuilt" (build and push with npm run deploy, which passes the digest in); got "build"',
      ));
  });
});
