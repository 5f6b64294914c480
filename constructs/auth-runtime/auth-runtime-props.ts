import type { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import type { ITerraformDependable } from 'cdktf';
import type { Catalog } from '../../catalog/index.js';
import type { AuthKeyVault, AuthKeyVaultSecret } from '../auth-key-vault/index.js';
import type { RuntimeDatabaseOptions } from './runtime-database.js';
import type { RuntimeRedisOptions } from './runtime-redis.js';

/**
 * Run an image that already exists, pinned by tag or (better) digest. The image is never built or pushed by
 * Terraform: `npm run deploy` builds and pushes it, then passes its digest in (a Terraform variable).
 */
export interface RuntimePrebuiltImageOptions {
  readonly kind: 'prebuilt';
  /** `registry/name:tag` or `registry/name@sha256:<digest>`; may contain tokens (a variable holding the digest). */
  readonly reference: string;
  /**
   * The Azure Container Registry holding the image: the runtime's identity gets AcrPull on it and pulls with it.
   * @default - a public image, pulled anonymously
   */
  readonly registry?: { readonly id: string; readonly loginServer: string };
}

export type RuntimeImageOptions = RuntimePrebuiltImageOptions;

/** How the runtime proves itself to the OIDC provider when redeeming authorization codes. */
export type RuntimeOidcClientAuthentication =
  | { readonly kind: 'clientSecret'; readonly secret: AuthKeyVaultSecret }
  /** A managed-identity token for `api://AzureADTokenExchange`, trusted by a federated identity credential. */
  | { readonly kind: 'managedIdentityAssertion' };

export interface RuntimeOidcOptions {
  /** Issuer URL, e.g. `https://login.microsoftonline.com/<tenant>/v2.0`. */
  readonly issuer: string;
  /** The runtime's OIDC client id. */
  readonly clientId: string;
  /**
   * `aud` the runtime accepts on tokens the issuer minted for the API.
   * @default - the client id (what Entra puts in v2 access tokens)
   */
  readonly audience?: string;
  /**
   * The API's Application ID URI (`api://...`): Entra v1.0 access tokens may carry it as `aud`, and the runtime accepts
   * it there only (OIDC_APP_ID_URI).
   * @default - v1.0 tokens are accepted with the client id as `aud` only
   */
  readonly appIdUri?: string;
  readonly clientAuthentication: RuntimeOidcClientAuthentication;
}

export interface AuthRuntimeProps {
  /** Container App name, 2-32 lower-case letters, digits and hyphens; also the prefix of the other resources' names. */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * The Entra tenant of the identities (the database's Entra authentication).
   * @default - the vault's tenant (`keyVault.keyVaultTenantId`, known after the vault exists)
   */
  readonly tenantId?: string;
  /** Holds the runtime's secrets; the runtime's identity gets "Key Vault Secrets User" on it. */
  readonly keyVault: AuthKeyVault;
  /** The image: a reference pinned by digest (or tag), built and pushed outside Terraform. */
  readonly image: RuntimeImageOptions;
  /**
   * The runtime's user-assigned identity. Pass one created earlier when something must trust it before the runtime
   * exists (a federated credential on the app registration).
   * @default - created here as `<name>-id`
   */
  readonly identity?: UserAssignedIdentity;
  /**
   * Browser sign-in through an OIDC provider (Entra ID).
   * @default - none (no browser sign-in)
   */
  readonly oidc?: RuntimeOidcOptions;
  /**
   * The runtime's external URL (`PUBLIC_URL`, the `iss` of its tokens), e.g. a custom domain bound elsewhere.
   * @default - `https://<name>.<environment default domain>` (the Container App's own FQDN)
   */
  readonly publicUrl?: string;
  /**
   * Extra origins allowed to make cookie-authenticated requests (`ALLOWED_ORIGINS`).
   * @default - none besides the public URL's origin
   */
  readonly additionalAllowedOrigins?: readonly string[];
  /**
   * Roles and scopes the runtime enforces (`CATALOG_JSON`); must be the catalog of the app registration.
   * @default defaultCatalog
   */
  readonly catalog?: Catalog;
  /**
   * Access-token lifetime in seconds, 60 to 86400.
   * @default 1800
   */
  readonly accessTokenTtlSeconds?: number;
  /**
   * Refresh-token lifetime in seconds, 300 to 7776000.
   * @default 1209600 (14 days)
   */
  readonly refreshTokenTtlSeconds?: number;
  /**
   * Longest a browser session lives from its sign-in, in seconds, however often it is refreshed; 300 to 31536000.
   * @default 2592000 (30 days)
   */
  readonly sessionMaxLifetimeSeconds?: number;
  /**
   * vCPUs per replica; with `memory`, one of the Container Apps pairs (0.25/0.5Gi ... 4/8Gi).
   * @default 0.5
   */
  readonly cpu?: number;
  /**
   * Memory per replica, twice the CPU in GiB (e.g. "1Gi").
   * @default "1Gi"
   */
  readonly memory?: string;
  /**
   * Replicas kept running, 0 to 300 (0 lets the app scale to zero).
   * @default 1
   */
  readonly minReplicas?: number;
  /**
   * Upper replica bound, 1 to 300, at least `minReplicas`.
   * @default 3
   */
  readonly maxReplicas?: number;
  /**
   * Concurrent HTTP requests per replica before the HTTP scale rule adds one, 1 to 1000.
   * @default 50
   */
  readonly concurrentRequestsPerReplica?: number;
  /**
   * Ingress reachable from the internet (`true`) or only inside the Container Apps environment / its VNet.
   * @default true
   */
  readonly ingressExternalEnabled?: boolean;
  /**
   * Log Analytics workspace for the environment's logs.
   * @default - a workspace created here (`<name>-logs`, PerGB2018, 30 days)
   */
  readonly logAnalyticsWorkspaceId?: string;
  /**
   * Subnet (/27 or larger, delegated to `Microsoft.App/environments`) the workload-profiles Container Apps environment
   * is injected into.
   * @default - Azure-managed network
   */
  readonly infrastructureSubnetId?: string;
  /**
   * Name of the resource group Azure creates for the environment's infrastructure (it must not exist yet).
   * @default - `<name>-env-infra`
   */
  readonly infrastructureResourceGroupName?: string;
  /**
   * Environment reachable only through the VNet's internal load balancer. Needs `infrastructureSubnetId`.
   * @default false
   */
  readonly internalLoadBalancerEnabled?: boolean;
  /**
   * Spread replicas over availability zones. Needs `infrastructureSubnetId`.
   * @default false
   */
  readonly zoneRedundancyEnabled?: boolean;
  /**
   * The PostgreSQL flexible server.
   * @default - smallest burstable server, Entra authentication with the runtime's identity
   */
  readonly database?: RuntimeDatabaseOptions;
  /**
   * Azure Cache for Redis for rate limits shared across replicas.
   * @default - none (each replica limits on its own)
   */
  readonly redis?: RuntimeRedisOptions;
  /**
   * Seconds the app waits after its identity's role assignments (and `startDependencies`) for propagation, 0 to 1800:
   * Key Vault references and the image pull are checked when the first revision starts. Waited once, on first create.
   * Azure documents up to 10 minutes for a role assignment.
   * @default 600
   */
  readonly rbacPropagationDelaySeconds?: number;
  /**
   * Further resources the first revision depends on that need the same propagation wait, e.g. the federated identity
   * credential the runtime signs in with.
   * @default - none
   */
  readonly startDependencies?: readonly ITerraformDependable[];
  /**
   * Tags on every resource created here.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}
