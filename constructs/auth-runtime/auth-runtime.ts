import { ContainerApp } from '@cdktf/provider-azurerm/lib/container-app/index.js';
import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment/index.js';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { catalogToJson, defaultCatalog } from '../../catalog/index.js';
import type { AuthKeyVaultSecret } from '../auth-key-vault/index.js';
import {
  checkIntegerRange,
  checkPattern,
  propagationWait,
  RBAC_PROPAGATION_DEFAULT_SECONDS,
  ValidationError,
} from '../core/index.js';
import type { AuthRuntimeProps } from './auth-runtime-props.js';
import { ContainerEnv } from './container-env.js';
import { checkImageReference } from './image-reference.js';
import { RuntimeDatabase } from './runtime-database.js';
import { RuntimeDatabaseRoles } from './runtime-database-roles.js';
import { RuntimeRedis } from './runtime-redis.js';
import { checkContainerSize, checkScale } from './runtime-sizing.js';

/** The workload profile the environment offers and the app runs on (serverless, billed per use). */
export const CONSUMPTION_WORKLOAD_PROFILE = 'Consumption';

/** Port the runtime image listens on (`PORT`, the image's `EXPOSE`). */
export const RUNTIME_PORT = 8080;

/** Container App secret names (lower-case, digits, hyphens) of what the runtime reads from Key Vault. */
export const RUNTIME_SECRET_NAMES = {
  keyEncryptionKey: 'key-encryption-key',
  apiKeyPepper: 'api-key-pepper',
  oidcClientSecret: 'oidc-client-secret',
  databaseUrl: 'database-url',
  redisUrl: 'redis-url',
} as const;

/**
 * The gatehouse runtime on Azure Container Apps: a Log Analytics workspace and a workload-profiles Container Apps
 * environment (Consumption profile, logs to the workspace), a
 * user-assigned identity (Key Vault Secrets User on the vault, AcrPull on the registry, its own role in the database)
 * granted before the app starts, a private PostgreSQL flexible server (with a job that creates that role), optional Redis, and the Container App itself
 * (single revision, https-only ingress, `/healthz` and `/readyz` probes, HTTP concurrency scaling). Every secret is a
 * Key Vault reference resolved with the identity; the key-encryption key and API-key pepper are generated here.
 */
export class AuthRuntime extends Construct {
  readonly containerApp: ContainerApp;
  readonly containerAppEnvironment: ContainerAppEnvironment;
  readonly identity: UserAssignedIdentity;
  readonly identityPrincipalId: string;
  readonly identityClientId: string;
  readonly database: RuntimeDatabase;
  /** `entra` mode: the job that creates the runtime's database role (run by `npm run deploy`). */
  readonly databaseRoles?: RuntimeDatabaseRoles;
  readonly redis?: RuntimeRedis;
  /** The image the app runs. */
  readonly imageReference: string;
  /** Generated, never rotated (it decrypts the stored signing keys): only its expiry is renewed, which is not rotation. */
  readonly keyEncryptionKey: AuthKeyVaultSecret;
  /** Generated, never rotated (every stored secret hash depends on it): only its expiry is renewed, which is not rotation. */
  readonly apiKeyPepper: AuthKeyVaultSecret;
  /** The Container App's FQDN as Azure reports it (`ingress[0].fqdn`). */
  readonly runtimeFqdn: string;
  /** `publicUrl`, or `https://<name>.<environment default domain>` (what `runtimeFqdn` will be). */
  readonly runtimeUrl: string;
  /** `<runtimeUrl>/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** The role assignments the app waits for (Key Vault, registry). */
  readonly identityRoleAssignments: readonly RoleAssignment[];

  constructor(scope: Construct, id: string, props: AuthRuntimeProps) {
    super(scope, id);
    checkPattern(
      this,
      'name',
      props.name,
      /^[a-z][a-z0-9-]{0,30}[a-z0-9]$/,
      '2-32 lower-case letters, digits or hyphens, starting with a letter and not ending with a hyphen',
    );
    if (props.name.includes('--')) throw new ValidationError(this, 'name', 'a name without "--"', props.name);
    const cpu = props.cpu ?? 0.5;
    const memory = props.memory ?? '1Gi';
    checkContainerSize(this, cpu, memory);
    const scale = {
      minReplicas: props.minReplicas ?? 1,
      maxReplicas: props.maxReplicas ?? 3,
      concurrentRequests: props.concurrentRequestsPerReplica ?? 50,
    };
    checkScale(this, scale);
    const accessTokenTtlSeconds = props.accessTokenTtlSeconds ?? 1800;
    checkIntegerRange(this, 'accessTokenTtlSeconds', accessTokenTtlSeconds, 60, 86_400);
    const refreshTokenTtlSeconds = props.refreshTokenTtlSeconds ?? 1_209_600;
    checkIntegerRange(this, 'refreshTokenTtlSeconds', refreshTokenTtlSeconds, 300, 7_776_000);
    const sessionMaxLifetimeSeconds = props.sessionMaxLifetimeSeconds ?? 2_592_000;
    checkIntegerRange(this, 'sessionMaxLifetimeSeconds', sessionMaxLifetimeSeconds, 300, 31_536_000);
    const rbacPropagationDelaySeconds = props.rbacPropagationDelaySeconds ?? RBAC_PROPAGATION_DEFAULT_SECONDS;
    if ((props.zoneRedundancyEnabled || props.internalLoadBalancerEnabled) && !props.infrastructureSubnetId) {
      const prop = props.zoneRedundancyEnabled ? 'zoneRedundancyEnabled' : 'internalLoadBalancerEnabled';
      throw new ValidationError(this, prop, 'false unless infrastructureSubnetId is given', true);
    }
    if (props.publicUrl !== undefined) {
      checkPattern(this, 'publicUrl', props.publicUrl, /^https:\/\/[^/#?\s]+$/, 'an https origin without a path');
    }
    (props.additionalAllowedOrigins ?? []).forEach((origin, index) => {
      checkPattern(
        this,
        `additionalAllowedOrigins[${index}]`,
        origin,
        /^https?:\/\/[^/#?\s]+$/,
        'an origin such as https://app.example.com',
      );
    });
    if (props.image?.kind === 'prebuilt') checkImageReference(this, 'image.reference', props.image.reference);
    else {
      // Terraform never builds or pushes the image (no Docker daemon at plan, nothing machine-specific in the JSON).
      const allowed = '"prebuilt" (build and push with npm run deploy, which passes the digest in)';
      throw new ValidationError(this, 'image.kind', allowed, (props.image as { kind?: unknown })?.kind);
    }
    if (props.oidc) checkPattern(this, 'oidc.issuer', props.oidc.issuer, /^https:\/\/\S+$/, 'an https issuer URL');

    const tags = props.tags ? { ...props.tags } : undefined;
    const common = { resourceGroupName: props.resourceGroupName, location: props.location };

    // ---- identity first: everything the app needs is granted to it before the app exists ----
    this.identity =
      props.identity ?? new UserAssignedIdentity(this, 'Identity', { ...common, name: `${props.name}-id`, tags });
    this.identityPrincipalId = this.identity.principalId;
    this.identityClientId = this.identity.clientId;
    const roleAssignments = [
      props.keyVault.grantSecretRead(this.identity.principalId, {
        id: `${id}SecretsUser`,
        principalType: 'ServicePrincipal',
      }),
    ];

    // ---- image ----
    this.imageReference = props.image.reference;
    const registry = props.image.registry;
    if (registry) {
      roleAssignments.push(
        new RoleAssignment(this, 'AcrPull', {
          scope: registry.id,
          roleDefinitionName: 'AcrPull',
          principalId: this.identity.principalId,
          principalType: 'ServicePrincipal',
          description: 'Lets the gatehouse runtime pull its image',
        }),
      );
    }
    this.identityRoleAssignments = roleAssignments;

    // ---- secrets generated for the runtime ----
    const secretNamePrefix = props.name;
    this.keyEncryptionKey = props.keyVault.addGeneratedSecret(`${secretNamePrefix}-key-encryption-key`, {
      // Letters and digits decode as base64 (64 characters -> 48 bytes, above the runtime's 32-byte minimum).
      lengthChars: 64,
      specialCharactersEnabled: false,
      valueRotationEnabled: false,
    });
    this.apiKeyPepper = props.keyVault.addGeneratedSecret(`${secretNamePrefix}-api-key-pepper`, {
      lengthChars: 64,
      specialCharactersEnabled: false,
      valueRotationEnabled: false,
    });

    // ---- store ----
    this.database = new RuntimeDatabase(this, 'Database', {
      ...props.database,
      ...common,
      serverName: props.database?.serverName ?? `${props.name}-pg`,
      identity: this.identity,
      tenantId: props.tenantId ?? props.keyVault.keyVaultTenantId,
      keyVault: props.keyVault,
      secretNamePrefix,
      tags,
    });
    if (props.redis) {
      this.redis = new RuntimeRedis(this, 'Redis', {
        ...props.redis,
        ...common,
        name: props.redis.name ?? `${props.name}-redis`,
        keyVault: props.keyVault,
        secretNamePrefix,
        tags,
      });
    }

    // ---- environment ----
    const workspaceId =
      props.logAnalyticsWorkspaceId ??
      new LogAnalyticsWorkspace(this, 'Logs', {
        ...common,
        name: `${props.name}-logs`,
        sku: 'PerGB2018',
        retentionInDays: 30,
        tags,
      }).id;
    // A workload-profiles environment with the Consumption profile only (the consumption-only environment type is
    // legacy). Its platform-managed resource group is named here: left empty, Azure names it and the provider (which
    // reads the name back into a ForceNew attribute) would plan a replacement on every later apply.
    this.containerAppEnvironment = new ContainerAppEnvironment(this, 'Environment', {
      ...common,
      name: `${props.name}-env`,
      workloadProfile: [{ name: CONSUMPTION_WORKLOAD_PROFILE, workloadProfileType: CONSUMPTION_WORKLOAD_PROFILE }],
      infrastructureResourceGroupName: props.infrastructureResourceGroupName ?? `${props.name}-env-infra`,
      logsDestination: 'log-analytics',
      logAnalyticsWorkspaceId: workspaceId,
      infrastructureSubnetId: props.infrastructureSubnetId,
      internalLoadBalancerEnabled: props.internalLoadBalancerEnabled,
      zoneRedundancyEnabled: props.zoneRedundancyEnabled ?? false,
      tags,
    });

    if (this.database.administratorIdentity) {
      this.databaseRoles = new RuntimeDatabaseRoles(this, 'DatabaseRoles', {
        ...common,
        name: `${props.name}-db-roles`,
        containerAppEnvironmentId: this.containerAppEnvironment.id,
        workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
        administratorIdentity: this.database.administratorIdentity,
        runtimeIdentity: this.identity,
        serverFqdn: this.database.server.fqdn,
        databaseName: this.database.databaseName,
        image: props.database?.rolesJobImage,
        tags,
      });
    }

    // ---- the app ----
    const external = props.ingressExternalEnabled ?? true;
    // Azure's FQDN rule, computed from the environment so the app never references its own attributes.
    const ownFqdn = `${props.name}.${external ? '' : 'internal.'}${this.containerAppEnvironment.defaultDomain}`;
    const publicUrl = props.publicUrl ?? `https://${ownFqdn}`;
    const catalog = props.catalog ?? defaultCatalog;

    const vars = new ContainerEnv(this.identity.id);
    const plain = (variable: string, value: string) => vars.plain(variable, value);
    const fromVault = (variable: string, secretName: string, secret: AuthKeyVaultSecret) =>
      vars.fromVault(variable, secretName, secret);

    plain('NODE_ENV', 'production');
    plain('PORT', String(RUNTIME_PORT));
    plain('PUBLIC_URL', publicUrl);
    plain('ALLOWED_ORIGINS', [publicUrl, ...(props.additionalAllowedOrigins ?? [])].join(','));
    plain('CATALOG_JSON', catalogToJson(catalog));
    plain('ACCESS_TOKEN_TTL_SECONDS', String(accessTokenTtlSeconds));
    plain('REFRESH_TOKEN_TTL_SECONDS', String(refreshTokenTtlSeconds));
    plain('SESSION_MAX_LIFETIME_SECONDS', String(sessionMaxLifetimeSeconds));
    // The identity the runtime requests tokens as (database password, OIDC client assertion).
    plain('AZURE_CLIENT_ID', this.identity.clientId);
    fromVault('KEY_ENCRYPTION_KEY', RUNTIME_SECRET_NAMES.keyEncryptionKey, this.keyEncryptionKey);
    fromVault('API_KEY_PEPPER', RUNTIME_SECRET_NAMES.apiKeyPepper, this.apiKeyPepper);
    if (this.database.connectionUrlSecret) {
      fromVault('DATABASE_URL', RUNTIME_SECRET_NAMES.databaseUrl, this.database.connectionUrlSecret);
    } else {
      plain('DATABASE_URL', this.database.connectionUrl as string);
      plain('DATABASE_AUTH', 'managed-identity');
    }
    if (this.redis) fromVault('REDIS_URL', RUNTIME_SECRET_NAMES.redisUrl, this.redis.urlSecret);
    if (props.oidc) {
      plain('OIDC_ISSUER', props.oidc.issuer);
      plain('OIDC_CLIENT_ID', props.oidc.clientId);
      plain('OIDC_AUDIENCE', props.oidc.audience ?? props.oidc.clientId);
      if (props.oidc.appIdUri) plain('OIDC_APP_ID_URI', props.oidc.appIdUri);
      const auth = props.oidc.clientAuthentication;
      if (auth.kind === 'clientSecret') {
        fromVault('OIDC_CLIENT_SECRET', RUNTIME_SECRET_NAMES.oidcClientSecret, auth.secret);
      } else if (auth.kind === 'managedIdentityAssertion') {
        plain('OIDC_CLIENT_AUTH', 'managed-identity');
      } else {
        throw new ValidationError(
          this,
          'oidc.clientAuthentication.kind',
          '"clientSecret" or "managedIdentityAssertion"',
          (auth as { kind?: unknown }).kind,
        );
      }
    }

    const waitFor: ITerraformDependable[] = [...roleAssignments];
    // Container Apps resolves the Key Vault references from the environment's network: through the private endpoint.
    if (props.keyVault.keyVaultPrivateEndpoint) waitFor.push(props.keyVault.keyVaultPrivateEndpoint);
    // The role the runtime signs in as is created by the database's administrator identity (the role job, run right
    // after the deploy): its assignment propagates in the same window.
    if (this.database.entraAdministrator) waitFor.push(this.database.entraAdministrator);
    waitFor.push(...(props.startDependencies ?? []));
    // Key Vault references and the image pull are checked when the first revision starts: it waits for every grant
    // they need (and for whatever else the caller names, e.g. a federated credential) to propagate.
    const propagation = propagationWait(
      this,
      'RbacPropagation',
      'rbacPropagationDelaySeconds',
      rbacPropagationDelaySeconds,
      waitFor,
    );

    const probe = (path: string) => ({ transport: 'HTTP', path, port: RUNTIME_PORT });
    this.containerApp = new ContainerApp(this, 'Resource', {
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      containerAppEnvironmentId: this.containerAppEnvironment.id,
      workloadProfileName: CONSUMPTION_WORKLOAD_PROFILE,
      revisionMode: 'Single',
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      registry: registry ? [{ server: registry.loginServer, identity: this.identity.id }] : undefined,
      secret: vars.secrets,
      ingress: {
        externalEnabled: external,
        targetPort: RUNTIME_PORT,
        transport: 'http',
        allowInsecureConnections: false,
        trafficWeight: [{ latestRevision: true, percentage: 100 }],
      },
      template: {
        minReplicas: scale.minReplicas,
        maxReplicas: scale.maxReplicas,
        httpScaleRule: [{ name: 'http-concurrency', concurrentRequests: String(scale.concurrentRequests) }],
        container: [
          {
            name: 'runtime',
            image: this.imageReference,
            cpu,
            memory,
            env: vars.env,
            // Startup covers migrations and key loading; then liveness restarts a hung process and readiness takes a
            // replica out of rotation while its store is unreachable.
            startupProbe: [{ ...probe('/healthz'), intervalSeconds: 5, failureCountThreshold: 24 }],
            livenessProbe: [{ ...probe('/healthz'), intervalSeconds: 10, failureCountThreshold: 3 }],
            readinessProbe: [{ ...probe('/readyz'), intervalSeconds: 5, failureCountThreshold: 3 }],
          },
        ],
      },
      dependsOn: [propagation],
      tags,
    });
    this.runtimeFqdn = this.containerApp.ingress.fqdn;
    // From the environment, not the app: an app registration can carry it as a redirect URI while the app depends on
    // the registration's client id.
    this.runtimeUrl = publicUrl;
    this.jwksUrl = `${this.runtimeUrl}/.well-known/jwks.json`;
  }
}
