import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment/index.js';
import {
  Application,
  type ApplicationApiOauth2PermissionScope,
  type ApplicationAppRole,
  type ApplicationWeb,
} from '@cdktf/provider-azuread/lib/application/index.js';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri/index.js';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal/index.js';
import { Construct } from 'constructs';
import { type Catalog, CatalogError, defaultCatalog, isRole, validateScopes } from '../../catalog/index.js';
import { ApplicationCredential, type ApplicationCredentialOptions } from '../application-credential/index.js';
import {
  ClientCredentialApp,
  type ClientCredentialAppOptions,
} from '../client-credential-app/client-credential-app.js';
import {
  checkNoDuplicates,
  checkPattern,
  checkRedirectUri,
  nextChildId,
  stableEntraId,
  ValidationError,
} from '../core/index.js';

const APPLICATION_NAME_PATTERN = /^[a-z][a-z0-9-]{1,38}[a-z0-9]$/;
const NAME_RULE = '3-40 lower-case letters, digits or hyphens, starting with a letter';

export interface EntraApiApplicationProps {
  /**
   * Stable application name, e.g. `gatehouse`. App-role and scope ids are derived from it (UUIDv5), so keep it the
   * same across environments and never change it.
   */
  readonly applicationName: string;
  /**
   * Appended as `<applicationName>-<nameSuffix>` to the display name and default identifier URI, e.g. `dev`.
   * @default - none
   */
  readonly nameSuffix?: string;
  /**
   * The API's identifier URI (the `aud` of its tokens). Set with `azuread_application_identifier_uri`, so the
   * application never references itself.
   * @default - `api://<applicationName>-<nameSuffix>` (or `api://<applicationName>` without a suffix)
   */
  readonly identifierUri?: string;
  /**
   * The permission catalog: one user app role per catalog role, one application app role per catalog scope.
   * @default defaultCatalog
   */
  readonly catalog?: Catalog;
  /**
   * Catalog scopes also exposed as delegated `oauth2_permission_scope`s (user consent for browser sign-in).
   * @default - none
   */
  readonly delegatedScopes?: readonly string[];
  /**
   * Role or scope values removed from the catalog that are still published, disabled. Entra refuses to delete an
   * enabled role, so removing one is two deploys: move its value here, deploy, then delete it from this list.
   * @default - none
   */
  readonly retiredPermissionValues?: readonly string[];
  /**
   * Web redirect URIs (the runtime's `/auth/callback`). More can be added later with `addRedirectUris`, e.g. from a
   * Container Apps environment's default domain.
   * @default - none
   */
  readonly redirectUris?: readonly string[];
  /**
   * Allow `http://localhost`, `http://127.0.0.1` and `http://[::1]` redirect URIs (local development).
   * @default false
   */
  readonly loopbackRedirectsAllowed?: boolean;
  /**
   * The confidential-client credential the runtime uses to redeem authorization codes.
   * @default - none (no secret, no federated credential)
   */
  readonly credential?: ApplicationCredentialOptions;
  /**
   * Object ids of the application's and service principal's owners.
   * @default - none (the deploying identity becomes owner, as Entra does by default)
   */
  readonly ownerObjectIds?: readonly string[];
  /**
   * Who may sign in.
   * @default "AzureADMyOrg"
   */
  readonly signInAudience?: 'AzureADMyOrg' | 'AzureADMultipleOrgs';
}

export interface RoleAssignmentOptions {
  /**
   * Construct id of the assignment; pass one to keep it stable when earlier assignments are removed.
   * @default - "RoleAssignment1", "RoleAssignment2", ... in call order
   */
  readonly id?: string;
}

/**
 * The Entra ID app registration of the protected API: app roles from the permission catalog (roles for users,
 * scopes for applications), optional delegated scopes, web redirect URIs, a service principal that requires
 * assignment, and optionally the runtime's confidential-client credential.
 */
export class EntraApiApplication extends Construct {
  readonly application: Application;
  readonly servicePrincipal: ServicePrincipal;
  /** The catalog the app roles come from. */
  readonly catalog: Catalog;
  /** The stable name ids derive from. */
  readonly applicationName: string;
  readonly applicationDisplayName: string;
  /** Client (application) id: the runtime's OIDC `client_id`. */
  readonly applicationClientId: string;
  /** Object id of the application. */
  readonly applicationObjectId: string;
  /** Resource id `/applications/<object id>`, what `azuread_application_*` resources take as `application_id`. */
  readonly applicationId: string;
  readonly servicePrincipalObjectId: string;
  /** Tenant of the service principal (the tenant the API lives in). */
  readonly applicationTenantId: string;
  readonly identifierUri: string;
  /** The runtime's credential, when `credential` was given. */
  readonly credential?: ApplicationCredential;
  private readonly loopbackRedirectsAllowed: boolean;
  private readonly webRedirectUris: string[] = [];

  constructor(scope: Construct, id: string, props: EntraApiApplicationProps) {
    super(scope, id);
    checkPattern(this, 'applicationName', props.applicationName, APPLICATION_NAME_PATTERN, NAME_RULE);
    if (props.nameSuffix !== undefined) {
      checkPattern(
        this,
        'nameSuffix',
        props.nameSuffix,
        /^[a-z0-9][a-z0-9-]{0,19}$/,
        '1-20 lower-case letters, digits or hyphens',
      );
    }
    this.catalog = props.catalog ?? defaultCatalog;
    this.applicationName = props.applicationName;
    this.loopbackRedirectsAllowed = props.loopbackRedirectsAllowed ?? false;
    const fullName = props.nameSuffix ? `${props.applicationName}-${props.nameSuffix}` : props.applicationName;
    this.applicationDisplayName = fullName;
    this.identifierUri = props.identifierUri ?? `api://${fullName}`;
    checkPattern(this, 'identifierUri', this.identifierUri, /^(api|https):\/\/\S+$/, 'an api:// or https:// URI');

    const delegatedScopes = this.checkDelegatedScopes(props.delegatedScopes ?? []);
    const retired = [...(props.retiredPermissionValues ?? [])];
    checkNoDuplicates(this, 'retiredPermissionValues', retired);
    for (const value of retired) {
      if (isRole(this.catalog, value) || this.catalog.scopeValues.includes(value)) {
        throw new ValidationError(this, 'retiredPermissionValues', 'values no longer in the catalog', value);
      }
    }

    const owners = props.ownerObjectIds ? [...props.ownerObjectIds] : undefined;
    this.application = new Application(this, 'Resource', {
      displayName: fullName,
      signInAudience: props.signInAudience ?? 'AzureADMyOrg',
      owners,
      preventDuplicateNames: true,
      // Only groups assigned to this application, so tokens stay small; app roles arrive in the `roles` claim.
      groupMembershipClaims: ['ApplicationGroup'],
      appRole: [...this.appRoles(), ...this.retiredAppRoles(retired)],
      api: {
        requestedAccessTokenVersion: 2,
        oauth2PermissionScope: delegatedScopes.map((scope) => this.delegatedScope(scope)),
      },
      web: this.webBlock(),
      optionalClaims: {
        idToken: [{ name: 'email' }, { name: 'preferred_username' }],
        accessToken: [{ name: 'email' }],
      },
      // The identifier URI is managed by `azuread_application_identifier_uri`, which the provider documents for use
      // with this resource together with ignoring `identifier_uris`. Redirect URIs are the application's own
      // `web.redirect_uris` (`azuread_application_redirect_uris` is documented as incompatible with it).
      lifecycle: { ignoreChanges: ['identifier_uris'] },
    });
    this.applicationId = this.application.id;
    this.applicationClientId = this.application.clientId;
    this.applicationObjectId = this.application.objectId;

    new ApplicationIdentifierUri(this, 'IdentifierUri', {
      applicationId: this.application.id,
      identifierUri: this.identifierUri,
    });

    this.servicePrincipal = new ServicePrincipal(this, 'ServicePrincipal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: true,
      owners,
    });
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;
    this.applicationTenantId = this.servicePrincipal.applicationTenantId;

    if (props.redirectUris !== undefined) {
      if (props.redirectUris.length === 0) {
        throw new ValidationError(this, 'redirectUris', 'omitted or a non-empty list of redirect URIs', []);
      }
      this.addRedirectUris(...props.redirectUris);
    }
    if (props.credential) {
      this.credential = new ApplicationCredential(this, 'Credential', {
        applicationId: this.application.id,
        credential: props.credential,
        defaultSecretName: `${fullName}-client-secret`,
      });
    }
  }

  /**
   * Adds web redirect URIs (https, or loopback http where allowed) to the application's `web.redirect_uris`. URIs may
   * contain tokens of resources that do not depend on this application, e.g. a Container Apps environment's
   * `default_domain` (a Container App's FQDN is `<app name>.<default domain>`); a token of a resource that does
   * depend on it (the Container App itself, given the client id) would be a cycle.
   */
  addRedirectUris(...uris: string[]): void {
    if (uris.length === 0) throw new ValidationError(this, 'addRedirectUris.uris', 'at least one redirect URI', []);
    uris.forEach((uri, index) => {
      checkRedirectUri(
        this,
        `redirectUris[${this.webRedirectUris.length + index}]`,
        uri,
        this.loopbackRedirectsAllowed,
      );
    });
    const next = [...this.webRedirectUris, ...uris];
    checkNoDuplicates(this, 'redirectUris', next);
    this.webRedirectUris.push(...uris);
    this.application.putWeb(this.webBlock());
  }

  private webBlock(): ApplicationWeb {
    return {
      implicitGrant: { accessTokenIssuanceEnabled: false, idTokenIssuanceEnabled: false },
      redirectUris: this.webRedirectUris.length > 0 ? [...this.webRedirectUris] : undefined,
    };
  }

  /**
   * Adds a client-credential application granted `options.scopes` on this API (a child of this construct).
   * Same as `new ClientCredentialApp(this, id, { api: this, ...options })`.
   */
  addClient(id: string, options: ClientCredentialAppOptions): ClientCredentialApp {
    return new ClientCredentialApp(this, id, { api: this, ...options });
  }

  /** Redirect URIs added so far (tokens unresolved). */
  get redirectUris(): readonly string[] {
    return [...this.webRedirectUris];
  }

  /**
   * Assigns a catalog role to a user or group (`azuread_app_role_assignment`). Returns the assignment.
   */
  assignRole(role: string, principalObjectId: string, options: RoleAssignmentOptions = {}): AppRoleAssignment {
    if (!isRole(this.catalog, role)) {
      throw new ValidationError(this, 'assignRole.role', `one of ${this.catalog.roleValues.join(', ')}`, role);
    }
    if (typeof principalObjectId !== 'string' || principalObjectId === '') {
      throw new ValidationError(this, 'assignRole.principalObjectId', 'a user or group object id', principalObjectId);
    }
    const id = options.id ?? nextChildId(this, 'RoleAssignment');
    return new AppRoleAssignment(this, id, {
      appRoleId: this.userRoleId(role),
      principalObjectId,
      resourceObjectId: this.servicePrincipal.objectId,
    });
  }

  /** The id of the user app role for a catalog role. */
  userRoleId(role: string): string {
    return stableEntraId(this.applicationName, 'app-role', role);
  }

  /** The id of the application app role for a catalog scope (what a client-credential app is granted). */
  applicationRoleId(scope: string): string {
    return stableEntraId(this.applicationName, 'app-role', scope);
  }

  /** The id of a delegated `oauth2_permission_scope`. */
  delegatedScopeId(scope: string): string {
    return stableEntraId(this.applicationName, 'delegated-scope', scope);
  }

  /**
   * Validates scope values against the catalog, returning them in catalog order. Throws `ValidationError` (with the
   * catalog's message, naming the first unknown scope and the allowed ones) for `prop`.
   */
  validateScopes(scopes: readonly string[], prop: string, owner: Construct = this): string[] {
    try {
      return validateScopes(this.catalog, scopes, { field: prop });
    } catch (error) {
      if (!(error instanceof CatalogError)) throw error;
      const unknown = scopes.find((scope) => !this.catalog.scopeValues.includes(scope));
      throw new ValidationError(owner, prop, `catalog scopes (${error.message})`, unknown, { cause: error });
    }
  }

  private checkDelegatedScopes(scopes: readonly string[]): string[] {
    checkNoDuplicates(this, 'delegatedScopes', scopes);
    return this.validateScopes(scopes, 'delegatedScopes');
  }

  private appRoles(): ApplicationAppRole[] {
    const roles: ApplicationAppRole[] = this.catalog.roles.map((role) => ({
      id: this.userRoleId(role.value),
      value: role.value,
      displayName: role.value,
      description: role.description,
      allowedMemberTypes: ['User'],
      enabled: true,
    }));
    const scopes: ApplicationAppRole[] = this.catalog.scopes.map((scope) => ({
      id: this.applicationRoleId(scope.value),
      value: scope.value,
      displayName: scope.value,
      description: scope.description,
      allowedMemberTypes: ['Application'],
      enabled: true,
    }));
    return [...roles, ...scopes];
  }

  private retiredAppRoles(values: readonly string[]): ApplicationAppRole[] {
    return values.map((value) => ({
      id: stableEntraId(this.applicationName, 'app-role', value),
      value,
      displayName: value,
      description: `Retired: ${value}`,
      // Scope-shaped values (`resource:action`) were application roles; the rest were user roles.
      allowedMemberTypes: [value.includes(':') ? 'Application' : 'User'],
      enabled: false,
    }));
  }

  private delegatedScope(scope: string): ApplicationApiOauth2PermissionScope {
    const description = this.catalog.scopes.find((s) => s.value === scope)?.description ?? scope;
    return {
      id: this.delegatedScopeId(scope),
      value: scope,
      type: 'User',
      enabled: true,
      adminConsentDisplayName: scope,
      adminConsentDescription: description,
      userConsentDisplayName: scope,
      userConsentDescription: description,
    };
  }
}
