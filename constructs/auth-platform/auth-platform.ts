import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity/index.js';
import { Construct } from 'constructs';
import { type Catalog, defaultCatalog } from '../../catalog/index.js';
import { AuthKeyVault, type AuthKeyVaultProps, type KeyVaultDeployerAccess } from '../auth-key-vault/index.js';
import { AuthRuntime, type AuthRuntimeProps, type RuntimeOidcClientAuthentication } from '../auth-runtime/index.js';
import type { ClientCredentialApp } from '../client-credential-app/index.js';
import { checkNoDuplicates, checkPattern, ValidationError } from '../core/index.js';
import { EntraApiApplication, type EntraApiApplicationProps } from '../entra-api-application/index.js';
import { RuntimeNetwork, type RuntimeNetworkOptions } from './runtime-network.js';

/** A client-credential app of the API (a service calling it), secret in the platform's vault. */
export interface PlatformClientOptions {
  /** Construct id and display-name suffix, e.g. `Reporter`: letters and digits, starting with a letter. */
  readonly id: string;
  /** Catalog scopes granted to the client. */
  readonly scopes: readonly string[];
  /**
   * Days the client's secret is valid, 7 to 730 (rotated by apply after two thirds).
   * @default 180
   */
  readonly secretLifetimeDays?: number;
}

/** How the deploy machine reaches the vault: the firewall's IP ranges, or privately through the runtime's network. */
export type PlatformDeployerAccess =
  | { readonly kind: 'ipRanges'; readonly ipRanges: readonly string[] }
  | {
      readonly kind: 'privateNetwork';
      /**
       * The virtual network the deploy machine runs in (same subscription), peered with the runtime's network both
       * ways and linked to its private DNS zones, so the first apply can write secrets through the private endpoint.
       * @default - none: the deploy machine already reaches the runtime's network and resolves its private DNS zones
       */
      readonly virtualNetworkId?: string;
    };

/** The platform's Key Vault: `AuthKeyVaultProps` without what the platform wires itself. */
export type PlatformKeyVaultOptions = Omit<
  AuthKeyVaultProps,
  'resourceGroupName' | 'location' | 'tenantId' | 'tags' | 'deployerAccess' | 'privateEndpoint'
> & {
  /** How the deploy machine reaches the vault to write secrets. */
  readonly deployerAccess: PlatformDeployerAccess;
};

/** Runtime settings the platform passes through to `AuthRuntime` (everything it does not wire itself). */
export type PlatformRuntimeOptions = Omit<
  AuthRuntimeProps,
  | 'name'
  | 'resourceGroupName'
  | 'location'
  | 'keyVault'
  | 'identity'
  | 'oidc'
  | 'catalog'
  | 'tags'
  | 'infrastructureSubnetId'
  | 'startDependencies'
  | 'tenantId'
>;

export interface AuthPlatformProps {
  /**
   * Base name of the runtime's resources (Container App, identity, database, ...), 2-32 lower-case letters, digits and
   * hyphens, e.g. `gatehouse-dev`.
   */
  readonly name: string;
  readonly resourceGroupName: string;
  readonly location: string;
  /**
   * Stable application name the Entra app-role ids derive from (keep it the same across environments).
   * @default "gatehouse"
   */
  readonly applicationName?: string;
  /**
   * Suffix of the app registration's display name and identifier URI, e.g. the environment name.
   * @default - none
   */
  readonly applicationNameSuffix?: string;
  /**
   * The Entra tenant (OIDC issuer `https://login.microsoftonline.com/<tenant>/v2.0`, Key Vault tenant).
   */
  readonly tenantId: string;
  /**
   * The Key Vault (name, the deployer's path, other firewall entries, diagnostics); resource group, location, tenant,
   * tags and the private endpoint in the runtime's network come from the platform.
   */
  readonly keyVault: PlatformKeyVaultOptions;
  /**
   * Roles and scopes, for both the app registration and the runtime.
   * @default defaultCatalog
   */
  readonly catalog?: Catalog;
  /**
   * Catalog scopes exposed as delegated scopes on the app registration.
   * @default - none
   */
  readonly delegatedScopes?: EntraApiApplicationProps['delegatedScopes'];
  /**
   * Role or scope values removed from the catalog that the app registration still publishes, disabled: removing one
   * is two deploys (disable, then delete), because Entra refuses to delete an enabled role.
   * @default - none
   */
  readonly retiredPermissionValues?: EntraApiApplicationProps['retiredPermissionValues'];
  /**
   * Extra origins that get `<origin>/auth/callback` as a redirect URI and may make cookie-authenticated requests
   * (a custom domain, a local front end). The runtime's own URL is always added.
   * @default - none
   */
  readonly additionalOrigins?: readonly string[];
  /**
   * Allow `http://localhost` / `http://127.0.0.1` origins (local development against this environment).
   * @default false
   */
  readonly loopbackRedirectsAllowed?: boolean;
  /**
   * How the runtime authenticates to Entra ID when redeeming sign-in codes: `federated` (a managed-identity assertion
   * trusted by a federated identity credential; no secret exists) or `clientSecret` (rotated, in Key Vault).
   * @default "federated"
   */
  readonly runtimeCredential?: 'federated' | 'clientSecret';
  /**
   * Service clients of the API (OAuth2 client credentials against Entra ID), each with a secret in the vault.
   * @default - none
   */
  readonly clients?: readonly PlatformClientOptions[];
  /** The runtime: image, sizing, replicas, database, Redis, ingress. */
  readonly runtime: PlatformRuntimeOptions;
  /**
   * The network the runtime runs in. The vault gets a private endpoint there (zone `privatelink.vaultcore.azure.net`
   * linked to it), which is how the Container App resolves its Key Vault references while the vault refuses the
   * internet.
   * @default - a virtual network 10.40.0.0/16 with the runtime subnet 10.40.0.0/23, private endpoints in 10.40.2.0/24
   *   and the database subnet 10.40.3.0/24
   */
  readonly network?: RuntimeNetworkOptions;
  /**
   * Tags on every Azure resource.
   * @default - none
   */
  readonly tags?: Readonly<Record<string, string>>;
}

/**
 * The whole gatehouse deployment in one construct: the Key Vault, the API's Entra app registration (app roles from
 * the catalog), its client-credential apps, and the runtime on Container Apps, wired together. The runtime's URL
 * (from the Container Apps environment's default domain, so no cycle) becomes the app's `web.redirect_uris`; the runtime gets the
 * issuer, client id, audience and catalog, its credential (federated by default), generated key-encryption key and
 * API-key pepper, and its database connection.
 */
export class AuthPlatform extends Construct {
  readonly keyVault: AuthKeyVault;
  readonly api: EntraApiApplication;
  readonly runtime: AuthRuntime;
  /** Created before the app registration so a federated credential can trust it. */
  readonly runtimeIdentity: UserAssignedIdentity;
  /** Client apps by their `id`. */
  readonly clients: ReadonlyMap<string, ClientCredentialApp>;
  readonly catalog: Catalog;
  /** The runtime's subnet (created, or the one passed in `network`). */
  readonly network: RuntimeNetwork;
  /** The runtime's URL (`https://<fqdn>` or its `publicUrl`). */
  readonly runtimeUrl: string;
  readonly jwksUrl: string;
  /** `https://login.microsoftonline.com/<tenant>/v2.0`. */
  readonly oidcIssuer: string;

  constructor(scope: Construct, id: string, props: AuthPlatformProps) {
    super(scope, id);
    checkPattern(this, 'tenantId', props.tenantId, /^[0-9a-fA-F-]{36}$/, 'an Entra tenant id (GUID)');
    const runtimeCredential = props.runtimeCredential ?? 'federated';
    if (runtimeCredential !== 'federated' && runtimeCredential !== 'clientSecret') {
      throw new ValidationError(this, 'runtimeCredential', '"federated" or "clientSecret"', runtimeCredential);
    }
    const clients = props.clients ?? [];
    clients.forEach((client, index) => {
      checkPattern(this, `clients[${index}].id`, client.id, /^[A-Za-z][A-Za-z0-9]{0,39}$/, 'letters and digits');
    });
    checkNoDuplicates(
      this,
      'clients[].id',
      clients.map((client) => client.id),
    );
    const additionalOrigins = (props.additionalOrigins ?? []).map((origin) => origin.replace(/\/+$/, ''));
    checkNoDuplicates(this, 'additionalOrigins', additionalOrigins);
    this.catalog = props.catalog ?? defaultCatalog;
    this.oidcIssuer = `https://login.microsoftonline.com/${props.tenantId}/v2.0`;
    const tags = props.tags ? { ...props.tags } : undefined;

    const deployerAccess = props.keyVault.deployerAccess as PlatformDeployerAccess | undefined;
    this.network = new RuntimeNetwork(this, 'Network', {
      options: props.network ?? {},
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      deployerVirtualNetworkId: deployerAccess?.kind === 'privateNetwork' ? deployerAccess.virtualNetworkId : undefined,
      tags,
    });

    this.keyVault = new AuthKeyVault(this, 'KeyVault', {
      ...props.keyVault,
      deployerAccess:
        deployerAccess?.kind === 'privateNetwork'
          ? { kind: 'privateNetwork' }
          : (deployerAccess as KeyVaultDeployerAccess),
      privateEndpoint: {
        subnetId: this.network.privateEndpointSubnetId,
        privateDnsZoneId: this.network.keyVaultDnsZoneId,
        dependsOn: this.network.privatePathDependencies,
      },
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tenantId: props.tenantId,
      tags,
    });

    this.runtimeIdentity = new UserAssignedIdentity(this, 'RuntimeIdentity', {
      name: `${props.name}-id`,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      tags,
    });

    this.api = new EntraApiApplication(this, 'Api', {
      applicationName: props.applicationName ?? 'gatehouse',
      nameSuffix: props.applicationNameSuffix,
      catalog: this.catalog,
      delegatedScopes: props.delegatedScopes,
      retiredPermissionValues: props.retiredPermissionValues,
      loopbackRedirectsAllowed: props.loopbackRedirectsAllowed,
      credential:
        runtimeCredential === 'federated'
          ? {
              kind: 'federated',
              issuer: this.oidcIssuer,
              subject: this.runtimeIdentity.principalId,
              credentialName: 'gatehouse-runtime',
            }
          : { kind: 'clientSecret', keyVault: this.keyVault },
    });

    const clientApps = new Map<string, ClientCredentialApp>();
    for (const client of clients) {
      clientApps.set(
        client.id,
        this.api.addClient(client.id, {
          scopes: client.scopes,
          credential: {
            kind: 'clientSecret',
            keyVault: this.keyVault,
            secretLifetimeDays: client.secretLifetimeDays,
          },
        }),
      );
    }
    this.clients = clientApps;

    const clientSecret = this.api.credential?.clientSecret;
    const clientAuthentication: RuntimeOidcClientAuthentication = clientSecret
      ? { kind: 'clientSecret', secret: clientSecret }
      : { kind: 'managedIdentityAssertion' };

    this.runtime = new AuthRuntime(this, 'Runtime', {
      ...props.runtime,
      // Private: injected into the network's delegated subnet, registered in its private DNS zone.
      database: {
        ...props.runtime.database,
        delegatedSubnetId: this.network.databaseSubnetId,
        privateDnsZoneId: this.network.databaseDnsZoneId,
        networkDependencies: this.network.databaseDnsDependencies,
      },
      name: props.name,
      resourceGroupName: props.resourceGroupName,
      location: props.location,
      keyVault: this.keyVault,
      identity: this.runtimeIdentity,
      infrastructureSubnetId: this.network.runtimeSubnetId,
      tenantId: props.tenantId,
      // The runtime redeems sign-in codes with the federated credential: it waits for Entra to replicate it too.
      startDependencies: this.api.credential?.federatedIdentityCredential
        ? [this.api.credential.federatedIdentityCredential]
        : [],
      catalog: this.catalog,
      additionalAllowedOrigins: [...additionalOrigins, ...(props.runtime.additionalAllowedOrigins ?? [])],
      oidc: {
        issuer: this.oidcIssuer,
        clientId: this.api.applicationClientId,
        // Entra v2 access tokens (requestedAccessTokenVersion 2) carry the client id as `aud`.
        audience: this.api.applicationClientId,
        // Entra v1 access tokens carry the identifier URI the caller asked for (or the client id).
        appIdUri: this.api.identifierUri,
        clientAuthentication,
      },
      tags,
    });
    this.runtimeUrl = this.runtime.runtimeUrl;
    this.jwksUrl = this.runtime.jwksUrl;

    // The runtime URL comes from the Container Apps environment, which does not depend on the application; the
    // Container App depends on both. No cycle.
    this.api.addRedirectUris(
      `${this.runtime.runtimeUrl}/auth/callback`,
      ...additionalOrigins.map((origin) => `${origin}/auth/callback`),
    );
  }
}
