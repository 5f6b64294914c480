import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { AuthKeyVault } from '../../constructs/auth-key-vault/index.js';
import { ClientCredentialApp, type ClientCredentialAppOptions } from '../../constructs/client-credential-app/index.js';
import { stableEntraId } from '../../constructs/core/index.js';
import { EntraApiApplication } from '../../constructs/entra-api-application/index.js';
import { allOf, ref, single, synthJson } from './synth-helpers.js';

const apiIn = (scope: Construct) =>
  new EntraApiApplication(scope, 'Api', { applicationName: 'gatehouse', nameSuffix: 'dev' });

/** Every azuread resource of the client (the API has its own application and service principal). */
function clientResources(json: ReturnType<typeof synthJson>, type: string) {
  return Object.entries(json.resource[type] ?? {})
    .filter(([id]) => id.includes('Reporter'))
    .map(([, block]) => block);
}

describe('ClientCredentialApp', () => {
  it('creates an application, a service principal and one app-role assignment per scope', () => {
    const json = synthJson((scope) => {
      apiIn(scope).addClient('Reporter', { scopes: ['search:read', 'incidents:read'] });
    });
    const [application] = clientResources(json, 'azuread_application');
    expect(application).toMatchObject({
      display_name: 'gatehouse-dev-reporter',
      sign_in_audience: 'AzureADMyOrg',
      required_resource_access: [
        {
          resource_app_id: ref('azuread_application', 'client_id'),
          resource_access: [
            { id: stableEntraId('gatehouse', 'app-role', 'incidents:read'), type: 'Role' },
            { id: stableEntraId('gatehouse', 'app-role', 'search:read'), type: 'Role' },
          ],
        },
      ],
    });
    expect(clientResources(json, 'azuread_service_principal')).toEqual([
      { client_id: ref('azuread_application', 'client_id'), app_role_assignment_required: true },
    ]);
    const assignments = allOf(json, 'azuread_app_role_assignment');
    expect(assignments).toEqual([
      {
        app_role_id: stableEntraId('gatehouse', 'app-role', 'incidents:read'),
        principal_object_id: ref('azuread_service_principal', 'object_id'),
        resource_object_id: ref('azuread_service_principal', 'object_id'),
      },
      expect.objectContaining({ app_role_id: stableEntraId('gatehouse', 'app-role', 'search:read') }),
    ]);
    // The principal is the client's service principal, the resource the API's.
    expect(assignments[0].principal_object_id).not.toBe(assignments[0].resource_object_id);
    expect(allOf(json, 'azuread_application_password')).toHaveLength(0);
  });

  it('can be made with new as well as addClient, and exposes its scopes in catalog order', () => {
    synthJson((scope) => {
      const client = new ClientCredentialApp(scope, 'Reporter', {
        api: apiIn(scope),
        scopes: ['graph:read', 'investigations:read'],
        displayName: 'reporting-job',
      });
      expect(client.scopes).toEqual(['investigations:read', 'graph:read']);
      expect([...client.scopeAssignments.keys()]).toEqual(['investigations:read', 'graph:read']);
      expect(client.applicationDisplayName).toBe('reporting-job');
    });
  });

  it('stores a rotating client secret in Key Vault', () => {
    const json = synthJson((scope) => {
      const keyVault = new AuthKeyVault(scope, 'Vault', {
        name: 'kv-test',
        resourceGroupName: 'rg',
        location: 'we',
        deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
      });
      apiIn(scope).addClient('Reporter', {
        scopes: ['search:read'],
        credential: { kind: 'clientSecret', keyVault, secretName: 'reporter-secret' },
      });
    });
    expect(single(json, 'azuread_application_password')).toMatchObject({
      application_id: expect.stringMatching(/^\$\{azuread_application\.Api_Reporter_[\w-]+\.id\}$/),
      rotate_when_changed: { rotation: ref('time_rotating', 'id') },
      end_date: ref('time_offset', 'rfc3339'),
      // Replaced on rotation: the new password exists (and is in the vault) before the old one is deleted.
      lifecycle: { create_before_destroy: true },
    });
    expect(single(json, 'time_offset')).toMatchObject({ offset_days: 180 });
    expect(single(json, 'azurerm_key_vault_secret')).toMatchObject({
      name: 'reporter-secret',
      value: ref('azuread_application_password', 'value'),
    });
  });

  it('trusts a CI pipeline with a federated credential', () => {
    const json = synthJson((scope) => {
      apiIn(scope).addClient('Reporter', {
        scopes: ['search:read'],
        credential: {
          kind: 'federated',
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'repo:example-org/gatehouse:environment:dev',
          credentialName: 'github-dev',
        },
      });
    });
    expect(single(json, 'azuread_application_federated_identity_credential')).toMatchObject({
      display_name: 'github-dev',
      subject: 'repo:example-org/gatehouse:environment:dev',
      application_id: expect.stringMatching(/Api_Reporter_/),
    });
  });

  describe('fails when', () => {
    const failsWith = (options: ClientCredentialAppOptions, message: RegExp | string) =>
      expect(() => synthJson((scope) => apiIn(scope).addClient('Reporter', options))).toThrow(message);

    it('a scope is unknown, with the catalog message', () =>
      failsWith(
        { scopes: ['graph:read', 'graph:delete'] },
        /Api\/Reporter: scopes must be catalog scopes \(scopes: unknown scope "graph:delete"; allowed: investigations:read, investigations:write, incidents:read, search:read, graph:read\); got "graph:delete"/,
      ));
    it('a management permission is requested as a scope', () =>
      failsWith({ scopes: ['users:manage'] }, /unknown scope "users:manage"/));
    it('no scope is given', () =>
      failsWith({ scopes: [] }, 'Api/Reporter: scopes must be a non-empty list of catalog scopes; got []'));
    it('a scope is repeated', () =>
      failsWith(
        { scopes: ['graph:read', 'graph:read'] },
        'scopes must be a list without duplicate values; got "graph:read"',
      ));
    it('the display name is empty', () =>
      failsWith({ scopes: ['graph:read'], displayName: '' }, 'displayName must be 1-120 characters; got ""'));
  });
});
