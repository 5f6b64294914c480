import { describe, expect, it } from 'vitest';
import {
  BUILT_IN_ROLE_IDS,
  constrainRoleAssignments,
  DeploymentIdentity,
  type DeploymentIdentityProps,
} from '../../constructs/deployment-identity/index.js';
import { allOf, ref, single, synthJson } from './synth-helpers.js';

const base: DeploymentIdentityProps = {
  displayName: 'gatehouse-deployer',
  repository: 'acme/gatehouse',
  branches: ['main'],
};

const GITHUB = { issuer: 'https://token.actions.githubusercontent.com', audiences: ['api://AzureADTokenExchange'] };

describe('DeploymentIdentity', () => {
  it('creates an application, a service principal and a federated credential, and no secret', () => {
    const json = synthJson((scope) => {
      new DeploymentIdentity(scope, 'Deployer', base);
    });
    expect(single(json, 'azuread_application')).toEqual({
      display_name: 'gatehouse-deployer',
      sign_in_audience: 'AzureADMyOrg',
      prevent_duplicate_names: true,
    });
    expect(single(json, 'azuread_service_principal')).toEqual({
      client_id: ref('azuread_application', 'client_id'),
      app_role_assignment_required: true,
    });
    expect(single(json, 'azuread_application_federated_identity_credential')).toEqual({
      application_id: ref('azuread_application', 'id'),
      display_name: 'github-branch-main',
      subject: 'repo:acme/gatehouse:ref:refs/heads/main',
      ...GITHUB,
    });
    expect(allOf(json, 'azuread_application_password')).toEqual([]);
    expect(allOf(json, 'azuread_app_role_assignment')).toEqual([]);
    expect(json.data).toBeUndefined();
  });

  it('trusts each branch, each environment and pull requests, with exact subjects', () => {
    let subjects: readonly string[] = [];
    const json = synthJson((scope) => {
      subjects = new DeploymentIdentity(scope, 'Deployer', {
        ...base,
        branches: ['main', 'release/v1'],
        environments: ['dev', 'prod'],
        pullRequestsEnabled: true,
      }).federatedSubjects;
    });
    const expected = [
      'repo:acme/gatehouse:ref:refs/heads/main',
      'repo:acme/gatehouse:ref:refs/heads/release/v1',
      'repo:acme/gatehouse:environment:dev',
      'repo:acme/gatehouse:environment:prod',
      'repo:acme/gatehouse:pull_request',
    ];
    expect(subjects).toEqual(expected);
    const credentials = allOf(json, 'azuread_application_federated_identity_credential');
    expect(credentials.map((c) => c.subject).sort()).toEqual([...expected].sort());
    expect(credentials.map((c) => c.display_name).sort()).toEqual([
      'github-branch-main',
      'github-branch-release-v1',
      'github-environment-dev',
      'github-environment-prod',
      'github-pull-requests',
    ]);
    for (const credential of credentials) expect(credential).toMatchObject(GITHUB);
  });

  it('grants Microsoft Graph application permissions as app-role assignments on the Graph service principal', () => {
    const json = synthJson((scope) => {
      new DeploymentIdentity(scope, 'Planner', {
        ...base,
        branches: [],
        pullRequestsEnabled: true,
        graphApplicationPermissions: ['Application.Read.All', 'Directory.Read.All'],
      });
    });
    const graph = Object.entries(json.data?.azuread_service_principal ?? {});
    expect(graph).toHaveLength(1);
    const [[graphId, graphBlock]] = graph;
    expect(graphBlock).toMatchObject({ client_id: '00000003-0000-0000-c000-000000000000' });
    const roleId = (value: string) => `\${data.azuread_service_principal.${graphId}.app_role_ids["${value}"]}`;
    expect(allOf(json, 'azuread_app_role_assignment')).toEqual([
      {
        app_role_id: roleId('Application.Read.All'),
        principal_object_id: ref('azuread_service_principal', 'object_id'),
        resource_object_id: `\${data.azuread_service_principal.${graphId}.object_id}`,
      },
      expect.objectContaining({ app_role_id: roleId('Directory.Read.All') }),
    ]);
    expect(single(json, 'azuread_application').required_resource_access).toEqual([
      {
        resource_app_id: '00000003-0000-0000-c000-000000000000',
        resource_access: [
          { id: roleId('Application.Read.All'), type: 'Role' },
          { id: roleId('Directory.Read.All'), type: 'Role' },
        ],
      },
    ]);
  });

  it('assigns Azure roles, a role writer constrained to the roles it may assign', () => {
    const json = synthJson((scope) => {
      const identity = new DeploymentIdentity(scope, 'Deployer', base);
      identity.assignAzureRole('Reader', { role: 'Reader', scope: '/subscriptions/s/resourceGroups/rg' });
      identity.assignAzureRole('RoleAdministrator', {
        role: 'Role Based Access Control Administrator',
        scope: '/subscriptions/s/resourceGroups/rg',
        assignableRoles: ['Key Vault Secrets User', 'Key Vault Secrets Officer'],
      });
    });
    const [reader, administrator] = allOf(json, 'azurerm_role_assignment');
    expect(reader).toEqual({
      scope: '/subscriptions/s/resourceGroups/rg',
      role_definition_name: 'Reader',
      principal_id: ref('azuread_service_principal', 'object_id'),
      principal_type: 'ServicePrincipal',
    });
    expect(administrator).toMatchObject({
      role_definition_name: 'Role Based Access Control Administrator',
      condition_version: '2.0',
      condition: constrainRoleAssignments(['Key Vault Secrets Officer', 'Key Vault Secrets User']),
    });
  });

  it('builds the constrain-roles condition for writes and deletes of the listed role ids only', () => {
    const officer = BUILT_IN_ROLE_IDS['Key Vault Secrets Officer'];
    const pull = BUILT_IN_ROLE_IDS.AcrPull;
    const ids = [officer, pull].sort().join(', ');
    expect(constrainRoleAssignments(['Key Vault Secrets Officer', 'AcrPull'])).toBe(
      `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR ` +
        `(@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}})) AND ` +
        `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/delete'})) OR ` +
        `(@Resource[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`,
    );
  });

  it.each([
    [
      'the repository has no owner',
      { repository: 'gatehouse' },
      'repository must be a GitHub repository "owner/name"; got "gatehouse"',
    ],
    [
      'the repository is a URL',
      { repository: 'https://github.com/acme/gatehouse' },
      'repository must be a GitHub repository "owner/name"; got "https://github.com/acme/gatehouse"',
    ],
    ['the display name is empty', { displayName: '' }, 'displayName must be 1-120 characters; got ""'],
    [
      'nothing can sign in',
      { branches: [] },
      'branches, environments, pullRequestsEnabled must be at least one branch, environment or pullRequestsEnabled: true (an identity nothing can sign in as); got []',
    ],
    [
      'a branch repeats',
      { branches: ['main', 'main'] },
      'branches must be a list without duplicate values; got "main"',
    ],
    [
      'a branch has a space',
      { branches: ['my branch'] },
      'branches[0] must be a branch name (letters, digits, ".", "_", "-", "/"); got "my branch"',
    ],
    [
      'an environment has a colon',
      { environments: ['prod:x'] },
      'environments[0] must be letters, digits, ".", "_" or "-"; got "prod:x"',
    ],
    [
      'a Graph permission is not one',
      { graphApplicationPermissions: ['all'] },
      'graphApplicationPermissions[0] must be a Microsoft Graph application permission such as "Application.Read.All"; got "all"',
    ],
  ])('fails when %s', (_, change, message) => {
    expect(() =>
      synthJson((scope) => {
        new DeploymentIdentity(scope, 'Deployer', { ...base, ...(change as Partial<DeploymentIdentityProps>) });
      }),
    ).toThrow(`Deployer: ${message}`);
  });

  it('fails when a role writer is constrained to no role', () => {
    expect(() =>
      synthJson((scope) => {
        new DeploymentIdentity(scope, 'Deployer', base).assignAzureRole('Admin', {
          role: 'Role Based Access Control Administrator',
          scope: '/subscriptions/s',
          assignableRoles: [],
        });
      }),
    ).toThrow('Deployer: Admin.assignableRoles must be at least one role; got []');
  });
});
