import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment/index.js';
import { Application } from '@cdktf/provider-azuread/lib/application/index.js';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal/index.js';
import { Construct } from 'constructs';
import { ApplicationCredential, type ApplicationCredentialOptions } from '../application-credential/index.js';
import { checkNoDuplicates, checkPattern, ValidationError } from '../core/index.js';
import type { EntraApiApplication } from '../entra-api-application/entra-api-application.js';

/** Options of `EntraApiApplication.addClient`; everything of `ClientCredentialAppProps` except the API. */
export interface ClientCredentialAppOptions {
  /** Catalog scopes the client is granted (application app roles on the API). At least one. */
  readonly scopes: readonly string[];
  /**
   * Display name of the client's application (1-120 characters).
   * @default - `<api display name>-<construct id>`
   */
  readonly displayName?: string;
  /**
   * How the client authenticates: a rotating client secret stored in Key Vault, or a federated credential (e.g. a
   * CI pipeline's OIDC subject).
   * @default - none (add credentials outside this construct)
   */
  readonly credential?: ApplicationCredentialOptions;
  /**
   * Object ids of the client application's owners.
   * @default - none
   */
  readonly ownerObjectIds?: readonly string[];
}

export interface ClientCredentialAppProps extends ClientCredentialAppOptions {
  /** The API the client calls. */
  readonly api: EntraApiApplication;
}

/**
 * A daemon/service client of the API (OAuth2 client credentials): its own application and service principal, one
 * `azuread_app_role_assignment` on the API per granted scope (admin consent in code), and a credential.
 * Make one with `api.addClient(id, options)` or `new ClientCredentialApp(scope, id, { api, ... })`.
 */
export class ClientCredentialApp extends Construct {
  readonly application: Application;
  readonly servicePrincipal: ServicePrincipal;
  readonly applicationClientId: string;
  readonly applicationObjectId: string;
  readonly servicePrincipalObjectId: string;
  readonly applicationDisplayName: string;
  /** Granted scopes in catalog order. */
  readonly scopes: readonly string[];
  /** One assignment per granted scope, keyed by scope value. */
  readonly scopeAssignments: ReadonlyMap<string, AppRoleAssignment>;
  readonly credential?: ApplicationCredential;

  constructor(scope: Construct, id: string, props: ClientCredentialAppProps) {
    super(scope, id);
    const { api } = props;
    if (!Array.isArray(props.scopes) || props.scopes.length === 0) {
      throw new ValidationError(this, 'scopes', 'a non-empty list of catalog scopes', props.scopes);
    }
    checkNoDuplicates(this, 'scopes', props.scopes);
    this.scopes = api.validateScopes(props.scopes, 'scopes', this);
    this.applicationDisplayName = props.displayName ?? `${api.applicationDisplayName}-${id.toLowerCase()}`;
    checkPattern(this, 'displayName', this.applicationDisplayName, /^\S.{0,119}$/, '1-120 characters');
    const owners = props.ownerObjectIds ? [...props.ownerObjectIds] : undefined;

    this.application = new Application(this, 'Resource', {
      displayName: this.applicationDisplayName,
      signInAudience: 'AzureADMyOrg',
      owners,
      preventDuplicateNames: true,
      // Declares the permissions in the portal; the assignments below are what actually grants them.
      requiredResourceAccess: [
        {
          resourceAppId: api.applicationClientId,
          resourceAccess: this.scopes.map((s) => ({ id: api.applicationRoleId(s), type: 'Role' })),
        },
      ],
    });
    this.applicationClientId = this.application.clientId;
    this.applicationObjectId = this.application.objectId;

    this.servicePrincipal = new ServicePrincipal(this, 'ServicePrincipal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: true,
      owners,
    });
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;

    const assignments = new Map<string, AppRoleAssignment>();
    for (const granted of this.scopes) {
      // Keyed by the catalog value (stable, validated), so removing one scope removes exactly one assignment.
      const assignmentId = `Scope-${granted.replace(':', '-')}`;
      assignments.set(
        granted,
        new AppRoleAssignment(this, assignmentId, {
          appRoleId: api.applicationRoleId(granted),
          principalObjectId: this.servicePrincipal.objectId,
          resourceObjectId: api.servicePrincipalObjectId,
        }),
      );
    }
    this.scopeAssignments = assignments;

    if (props.credential) {
      this.credential = new ApplicationCredential(this, 'Credential', {
        applicationId: this.application.id,
        credential: props.credential,
        defaultSecretName: `${this.applicationDisplayName}-client-secret`.replace(/[^A-Za-z0-9-]/g, '-'),
      });
    }
  }
}
