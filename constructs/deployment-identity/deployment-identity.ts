import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment/index.js';
import { Application } from '@cdktf/provider-azuread/lib/application/index.js';
import { DataAzureadServicePrincipal } from '@cdktf/provider-azuread/lib/data-azuread-service-principal/index.js';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal/index.js';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment/index.js';
import { Construct } from 'constructs';
import { ApplicationCredential } from '../application-credential/index.js';
import { checkNoDuplicates, checkPattern, ValidationError } from '../core/index.js';
import { type BuiltInRoleName, constrainRoleAssignments } from './role-condition.js';

/** Issuer of GitHub Actions OIDC tokens. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';
/** Client id (app id) of Microsoft Graph, the same in every tenant. */
export const MICROSOFT_GRAPH_CLIENT_ID = '00000003-0000-0000-c000-000000000000';

export interface DeploymentIdentityProps {
  /** Display name of the application (1-120 characters). */
  readonly displayName: string;
  /** The GitHub repository whose workflows sign in, `owner/name`. */
  readonly repository: string;
  /**
   * Branches whose workflow runs sign in (subject `repo:<owner>/<name>:ref:refs/heads/<branch>`).
   * @default - none
   */
  readonly branches?: readonly string[];
  /**
   * GitHub environments whose jobs sign in (subject `repo:<owner>/<name>:environment:<environment>`).
   * @default - none
   */
  readonly environments?: readonly string[];
  /**
   * Pull-request workflow runs sign in (subject `repo:<owner>/<name>:pull_request`).
   * @default false
   */
  readonly pullRequestsEnabled?: boolean;
  /**
   * Microsoft Graph application permissions granted to the service principal (admin consent as code), e.g.
   * `Application.Read.All`.
   * @default - none
   */
  readonly graphApplicationPermissions?: readonly string[];
}

/** Options of `DeploymentIdentity.assignAzureRole`. */
export interface AzureRoleOptions {
  /** Built-in role name, e.g. `Reader`. */
  readonly role: BuiltInRoleName;
  /** Resource Manager id the role is assigned at. */
  readonly scope: string;
  /**
   * For a role that writes role assignments: the only roles it may assign or remove (an ABAC condition).
   * @default - unconstrained
   */
  readonly assignableRoles?: readonly BuiltInRoleName[];
}

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})';
const REPOSITORY = new RegExp(`^${OWNER}/[A-Za-z0-9._-]{1,100}$`);
const BRANCH = /^[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const ENVIRONMENT = /^[A-Za-z0-9._-]{1,255}$/;
const GRAPH_PERMISSION = /^[A-Z][A-Za-z]*(\.[A-Z][A-Za-z]*)+$/;

/**
 * The identity a CI pipeline deploys or plans as: an Entra application and its service principal with GitHub Actions
 * federated identity credentials (issuer `https://token.actions.githubusercontent.com`, audience
 * `api://AzureADTokenExchange`), one per branch, environment or pull requests; no client secret exists. Microsoft
 * Graph application permissions are app-role assignments on the Graph service principal; Azure roles are added with
 * `assignAzureRole`.
 */
export class DeploymentIdentity extends Construct {
  readonly application: Application;
  readonly servicePrincipal: ServicePrincipal;
  readonly applicationClientId: string;
  readonly servicePrincipalObjectId: string;
  /** Federated subjects in the order branches, environments, pull requests. */
  readonly federatedSubjects: readonly string[];
  /** One assignment per Graph permission, keyed by its value. */
  readonly graphPermissionAssignments: ReadonlyMap<string, AppRoleAssignment>;

  constructor(scope: Construct, id: string, props: DeploymentIdentityProps) {
    super(scope, id);
    checkPattern(this, 'displayName', props.displayName, /^\S.{0,119}$/, '1-120 characters');
    checkPattern(this, 'repository', props.repository, REPOSITORY, 'a GitHub repository "owner/name"');
    const branches = [...(props.branches ?? [])];
    const environments = [...(props.environments ?? [])];
    const graphPermissions = [...(props.graphApplicationPermissions ?? [])];
    checkNoDuplicates(this, 'branches', branches);
    checkNoDuplicates(this, 'environments', environments);
    checkNoDuplicates(this, 'graphApplicationPermissions', graphPermissions);
    branches.forEach((branch, i) => {
      checkPattern(this, `branches[${i}]`, branch, BRANCH, 'a branch name (letters, digits, ".", "_", "-", "/")');
    });
    environments.forEach((environment, i) => {
      checkPattern(this, `environments[${i}]`, environment, ENVIRONMENT, 'letters, digits, ".", "_" or "-"');
    });
    graphPermissions.forEach((permission, i) => {
      checkPattern(
        this,
        `graphApplicationPermissions[${i}]`,
        permission,
        GRAPH_PERMISSION,
        'a Microsoft Graph application permission such as "Application.Read.All"',
      );
    });
    const subjects: Array<{ id: string; name: string; subject: string }> = [
      ...branches.map((branch) => ({
        id: `Branch-${branch}`,
        name: `github-branch-${branch}`,
        subject: `repo:${props.repository}:ref:refs/heads/${branch}`,
      })),
      ...environments.map((environment) => ({
        id: `Environment-${environment}`,
        name: `github-environment-${environment}`,
        subject: `repo:${props.repository}:environment:${environment}`,
      })),
      ...(props.pullRequestsEnabled === true
        ? [{ id: 'PullRequests', name: 'github-pull-requests', subject: `repo:${props.repository}:pull_request` }]
        : []),
    ];
    if (subjects.length === 0) {
      throw new ValidationError(
        this,
        'branches, environments, pullRequestsEnabled',
        'at least one branch, environment or pullRequestsEnabled: true (an identity nothing can sign in as)',
        props.branches ?? [],
      );
    }

    const graph =
      graphPermissions.length > 0
        ? new DataAzureadServicePrincipal(this, 'MicrosoftGraph', { clientId: MICROSOFT_GRAPH_CLIENT_ID })
        : undefined;
    this.application = new Application(this, 'Resource', {
      displayName: props.displayName,
      signInAudience: 'AzureADMyOrg',
      preventDuplicateNames: true,
      // Declares the Graph permissions in the portal; the assignments below are what grants them.
      requiredResourceAccess: graph
        ? [
            {
              resourceAppId: MICROSOFT_GRAPH_CLIENT_ID,
              resourceAccess: graphPermissions.map((p) => ({ id: graph.appRoleIds.lookup(p), type: 'Role' })),
            },
          ]
        : undefined,
    });
    this.servicePrincipal = new ServicePrincipal(this, 'ServicePrincipal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: true,
    });
    this.applicationClientId = this.application.clientId;
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;

    for (const { id: childId, name, subject } of subjects) {
      new ApplicationCredential(this, childId, {
        applicationId: this.application.id,
        defaultSecretName: name,
        credential: {
          kind: 'federated',
          issuer: GITHUB_ACTIONS_ISSUER,
          subject,
          credentialName: name.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 120),
        },
      });
    }
    this.federatedSubjects = subjects.map(({ subject }) => subject);

    const assignments = new Map<string, AppRoleAssignment>();
    for (const permission of graphPermissions) {
      assignments.set(
        permission,
        new AppRoleAssignment(this, `Graph-${permission.replace(/\./g, '-')}`, {
          appRoleId: (graph as DataAzureadServicePrincipal).appRoleIds.lookup(permission),
          principalObjectId: this.servicePrincipal.objectId,
          resourceObjectId: (graph as DataAzureadServicePrincipal).objectId,
        }),
      );
    }
    this.graphPermissionAssignments = assignments;
  }

  /**
   * Assigns the service principal an Azure built-in role at `scope`; with `assignableRoles`, constrained by an ABAC
   * condition to assigning and removing only those roles. Returns the assignment.
   */
  assignAzureRole(id: string, options: AzureRoleOptions): RoleAssignment {
    const constrained = options.assignableRoles !== undefined;
    if (constrained && options.assignableRoles.length === 0) {
      throw new ValidationError(this, `${id}.assignableRoles`, 'at least one role', options.assignableRoles);
    }
    return new RoleAssignment(this, id, {
      scope: options.scope,
      roleDefinitionName: options.role,
      principalId: this.servicePrincipal.objectId,
      principalType: 'ServicePrincipal',
      condition: constrained ? constrainRoleAssignments(options.assignableRoles) : undefined,
      conditionVersion: constrained ? '2.0' : undefined,
    });
  }
}
