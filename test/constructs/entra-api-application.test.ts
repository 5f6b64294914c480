import { ContainerAppEnvironment } from '@cdktf/provider-azurerm/lib/container-app-environment/index.js';
import { Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { defaultCatalog, extendCatalog } from '../../catalog/index.js';
import { AuthKeyVault } from '../../constructs/auth-key-vault/index.js';
import { stableEntraId } from '../../constructs/core/index.js';
import { EntraApiApplication, type EntraApiApplicationProps } from '../../constructs/entra-api-application/index.js';
import { allOf, ref, single, synthJson } from './synth-helpers.js';

function apiIn(scope: Construct, props: Partial<EntraApiApplicationProps> = {}): EntraApiApplication {
  return new EntraApiApplication(scope, 'Api', { applicationName: 'gatehouse', nameSuffix: 'dev', ...props });
}

const synthApi = (props: Partial<EntraApiApplicationProps> = {}, more?: (api: EntraApiApplication) => void) =>
  synthJson((scope) => {
    const api = apiIn(scope, props);
    more?.(api);
  });

describe('EntraApiApplication', () => {
  it('publishes one user app role per catalog role and one application app role per scope', () => {
    const json = synthApi();
    const application = single(json, 'azuread_application');
    expect(application).toMatchObject({
      display_name: 'gatehouse-dev',
      sign_in_audience: 'AzureADMyOrg',
      group_membership_claims: ['ApplicationGroup'],
      api: { requested_access_token_version: 2 },
      web: { implicit_grant: { access_token_issuance_enabled: false, id_token_issuance_enabled: false } },
      // Only what azuread_application_identifier_uri owns; redirect URIs are the application's own.
      lifecycle: { ignore_changes: ['identifier_uris'] },
    });
    expect(application.identifier_uris).toBeUndefined();
    expect((application.web as Record<string, unknown>).redirect_uris).toBeUndefined();
    const roles = application.app_role as Array<Record<string, unknown>>;
    expect(roles.filter((r) => (r.allowed_member_types as string[])[0] === 'User').map((r) => r.value)).toEqual(
      defaultCatalog.roleValues,
    );
    expect(roles.filter((r) => (r.allowed_member_types as string[])[0] === 'Application').map((r) => r.value)).toEqual(
      defaultCatalog.scopeValues,
    );
    expect(roles.find((r) => r.value === 'viewer')).toEqual({
      id: stableEntraId('gatehouse', 'app-role', 'viewer'),
      value: 'viewer',
      display_name: 'viewer',
      description: defaultCatalog.roles.find((r) => r.value === 'viewer')?.description,
      allowed_member_types: ['User'],
      enabled: true,
    });
  });

  it('derives role ids from the application name only, so every environment gets the same ids', () => {
    const dev = single(synthApi({ nameSuffix: 'dev' }), 'azuread_application').app_role;
    const prod = single(synthApi({ nameSuffix: 'prod' }), 'azuread_application').app_role;
    expect(prod).toEqual(dev);
    const other = single(synthApi({ applicationName: 'other-api' }), 'azuread_application').app_role as Array<{
      id: string;
    }>;
    expect(other[0].id).not.toBe((dev as Array<{ id: string }>)[0].id);
    const ids = (dev as Array<{ id: string }>).map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('sets the identifier URI on its own resource and creates a service principal requiring assignment', () => {
    const json = synthApi();
    expect(single(json, 'azuread_application_identifier_uri')).toEqual({
      application_id: ref('azuread_application', 'id'),
      identifier_uri: 'api://gatehouse-dev',
    });
    expect(single(json, 'azuread_service_principal')).toEqual({
      client_id: ref('azuread_application', 'client_id'),
      app_role_assignment_required: true,
    });
    expect(allOf(json, 'azuread_application_redirect_uris')).toHaveLength(0);
  });

  it('takes an explicit identifier URI and no suffix', () => {
    const json = synthApi({ nameSuffix: undefined, identifierUri: 'https://api.example.com/gatehouse' });
    expect(single(json, 'azuread_application').display_name).toBe('gatehouse');
    expect(single(json, 'azuread_application_identifier_uri').identifier_uri).toBe('https://api.example.com/gatehouse');
  });

  it('uses roles and scopes of a given catalog', () => {
    const catalog = extendCatalog(defaultCatalog, {
      scopes: [{ value: 'tickets:read', description: 'Read tickets' }],
      grants: { analyst: ['tickets:read'] },
    });
    const roles = single(synthApi({ catalog }), 'azuread_application').app_role as Array<{ value: string }>;
    expect(roles.map((r) => r.value)).toContain('tickets:read');
  });

  it('exposes delegated scopes with catalog descriptions when asked', () => {
    const json = synthApi({ delegatedScopes: ['graph:read', 'investigations:read'] });
    const scopes = (single(json, 'azuread_application').api as { oauth2_permission_scope: unknown[] })
      .oauth2_permission_scope;
    expect(scopes).toEqual([
      {
        id: stableEntraId('gatehouse', 'delegated-scope', 'investigations:read'),
        value: 'investigations:read',
        type: 'User',
        enabled: true,
        admin_consent_display_name: 'investigations:read',
        admin_consent_description: 'Read investigation sessions and results',
        user_consent_display_name: 'investigations:read',
        user_consent_description: 'Read investigation sessions and results',
      },
      expect.objectContaining({ value: 'graph:read', id: stableEntraId('gatehouse', 'delegated-scope', 'graph:read') }),
    ]);
    expect(stableEntraId('gatehouse', 'delegated-scope', 'graph:read')).not.toBe(
      stableEntraId('gatehouse', 'app-role', 'graph:read'),
    );
  });

  it('keeps retired values as disabled roles so removal takes two deploys', () => {
    const roles = single(synthApi({ retiredPermissionValues: ['auditor', 'tickets:read'] }), 'azuread_application')
      .app_role as Array<Record<string, unknown>>;
    expect(roles.find((r) => r.value === 'auditor')).toMatchObject({ enabled: false, allowed_member_types: ['User'] });
    expect(roles.find((r) => r.value === 'tickets:read')).toMatchObject({
      enabled: false,
      allowed_member_types: ['Application'],
    });
  });

  it("sets redirect URIs on the application's web block and adds more later, including token URIs", () => {
    const json = synthApi({ redirectUris: ['https://auth.example.com/auth/callback'] }, (api) => {
      const environment = new ContainerAppEnvironment(api, 'Env', {
        name: 'env',
        location: 'we',
        resourceGroupName: 'rg',
      });
      api.addRedirectUris(`https://gatehouse-dev.${environment.defaultDomain}/auth/callback`);
    });
    // The provider documents azuread_application_redirect_uris as incompatible with azuread_application.
    expect(allOf(json, 'azuread_application_redirect_uris')).toHaveLength(0);
    expect(single(json, 'azuread_application').web).toEqual({
      implicit_grant: { access_token_issuance_enabled: false, id_token_issuance_enabled: false },
      redirect_uris: [
        'https://auth.example.com/auth/callback',
        expect.stringMatching(
          /^https:\/\/gatehouse-dev\.\$\{azurerm_container_app_environment\.[\w-]+\.default_domain\}\/auth\/callback$/,
        ),
      ],
    });
  });

  it('allows loopback http redirects only when the environment says so', () => {
    const json = synthApi({
      loopbackRedirectsAllowed: true,
      redirectUris: ['http://localhost:3000/auth/callback', 'http://127.0.0.1:8080/auth/callback'],
    });
    expect((single(json, 'azuread_application').web as { redirect_uris: string[] }).redirect_uris).toEqual([
      'http://localhost:3000/auth/callback',
      'http://127.0.0.1:8080/auth/callback',
    ]);
  });

  it('assigns catalog roles to users and groups and returns the assignment', () => {
    const json = synthApi({}, (api) => {
      const first = api.assignRole('admin', 'user-object-id');
      const second = api.assignRole('viewer', 'group-object-id', { id: 'Viewers' });
      expect([first.node.id, second.node.id]).toEqual(['RoleAssignment1', 'Viewers']);
    });
    expect(allOf(json, 'azuread_app_role_assignment')).toEqual([
      {
        app_role_id: stableEntraId('gatehouse', 'app-role', 'admin'),
        principal_object_id: 'user-object-id',
        resource_object_id: ref('azuread_service_principal', 'object_id'),
      },
      expect.objectContaining({ app_role_id: stableEntraId('gatehouse', 'app-role', 'viewer') }),
    ]);
  });

  it('writes a rotating client secret to Key Vault when the secret credential is chosen', () => {
    const json = synthJson((scope) => {
      const keyVault = new AuthKeyVault(scope, 'Vault', {
        name: 'kv-test',
        resourceGroupName: 'rg',
        location: 'we',
        deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
      });
      const api = apiIn(scope, { credential: { kind: 'clientSecret', keyVault, secretLifetimeDays: 90 } });
      expect(api.credential?.clientSecret?.secretName).toBe('gatehouse-dev-client-secret');
    });
    expect(single(json, 'azuread_application_password')).toEqual({
      application_id: ref('azuread_application', 'id'),
      display_name: 'gatehouse (rotated by Terraform)',
      end_date: ref('time_offset', 'rfc3339'),
      rotate_when_changed: { rotation: ref('time_rotating', 'id') },
      lifecycle: { create_before_destroy: true },
    });
    expect(single(json, 'time_rotating')).toEqual({ rotation_days: 60 });
    expect(single(json, 'time_offset')).toMatchObject({ offset_days: 90 });
    expect(single(json, 'azurerm_key_vault_secret')).toMatchObject({
      name: 'gatehouse-dev-client-secret',
      value: ref('azuread_application_password', 'value'),
      expiration_date: ref('time_offset', 'rfc3339'),
      content_type: 'text/plain; entra-client-secret',
    });
    expect(allOf(json, 'azuread_application_federated_identity_credential')).toHaveLength(0);
  });

  it('trusts a managed identity with a federated credential and creates no secret', () => {
    const json = synthApi({
      credential: {
        kind: 'federated',
        issuer: 'https://login.microsoftonline.com/tenant/v2.0',
        subject: 'managed-identity-principal-id',
      },
    });
    expect(single(json, 'azuread_application_federated_identity_credential')).toEqual({
      application_id: ref('azuread_application', 'id'),
      display_name: 'gatehouse-federated',
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      subject: 'managed-identity-principal-id',
      audiences: ['api://AzureADTokenExchange'],
    });
    expect(allOf(json, 'azuread_application_password')).toHaveLength(0);
    expect(allOf(json, 'azurerm_key_vault_secret')).toHaveLength(0);
  });

  it('synthesizes the same JSON every time', () => {
    const build = (scope: Construct) => {
      apiIn(scope, { redirectUris: ['https://a.example/auth/callback'] }).assignRole('admin', 'x');
    };
    expect(Testing.synthScope(build)).toBe(Testing.synthScope(build));
  });

  describe('fails when', () => {
    const failsWith = (props: Partial<EntraApiApplicationProps>, message: RegExp | string) =>
      expect(() => synthApi(props)).toThrow(message);

    it('the application name is not kebab case', () =>
      failsWith({ applicationName: 'Gatehouse' }, /Api: applicationName must be 3-40 lower-case.*; got "Gatehouse"/));
    it('a redirect URI is empty', () =>
      failsWith({ redirectUris: [''] }, /Api: redirectUris\[0\] must be an absolute https URL.*; got ""/));
    it('the redirect URI list is empty', () =>
      failsWith({ redirectUris: [] }, 'redirectUris must be omitted or a non-empty list of redirect URIs; got []'));
    it('a redirect URI is plain http', () =>
      failsWith({ redirectUris: ['http://auth.example.com/cb'] }, /redirectUris\[0\] must be an absolute https URL/));
    it('a loopback redirect is used where the environment does not allow it', () =>
      failsWith(
        { redirectUris: ['http://localhost:3000/cb'] },
        /loopback http is not allowed in this environment\); got "http:\/\/localhost:3000\/cb"/,
      ));
    it('http is used on a non-loopback host even with loopback allowed', () =>
      failsWith(
        { loopbackRedirectsAllowed: true, redirectUris: ['http://10.0.0.1/cb'] },
        /got "http:\/\/10.0.0.1\/cb"/,
      ));
    it('a token redirect URI starts with http', () =>
      expect(() => synthApi({}, (api) => api.addRedirectUris(`http://${api.applicationClientId}.example/cb`))).toThrow(
        /redirectUris\[0\] must be an absolute https URL/,
      ));
    it('a redirect URI is repeated', () =>
      failsWith(
        { redirectUris: ['https://a.example/cb', 'https://a.example/cb'] },
        'redirectUris must be a list without duplicate values; got "https://a.example/cb"',
      ));
    it('a delegated scope is unknown', () =>
      failsWith(
        { delegatedScopes: ['graph:delete'] },
        /delegatedScopes must be catalog scopes \(delegatedScopes: unknown scope "graph:delete"; allowed: investigations:read.*\); got "graph:delete"/,
      ));
    it('a delegated scope is repeated', () =>
      failsWith({ delegatedScopes: ['graph:read', 'graph:read'] }, 'delegatedScopes must be a list without duplicate'));
    it('a retired value is still in the catalog', () =>
      failsWith(
        { retiredPermissionValues: ['admin'] },
        'retiredPermissionValues must be values no longer in the catalog; got "admin"',
      ));
    it('a role to assign is not in the catalog', () =>
      expect(() => synthApi({}, (api) => api.assignRole('superuser', 'x'))).toThrow(
        'Api: assignRole.role must be one of admin, analyst, viewer, operator, api_service; got "superuser"',
      ));
    it('the client secret lifetime is out of range', () =>
      expect(() =>
        synthJson((scope) => {
          const keyVault = new AuthKeyVault(scope, 'Vault', {
            name: 'kv-test',
            resourceGroupName: 'rg',
            location: 'we',
            deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
          });
          apiIn(scope, { credential: { kind: 'clientSecret', keyVault, secretLifetimeDays: 1000 } });
        }),
      ).toThrow('Api/Credential: credential.secretLifetimeDays must be an integer from 7 to 730; got 1000'));
    it('a federated issuer is not https', () =>
      failsWith(
        { credential: { kind: 'federated', issuer: 'http://issuer.example', subject: 's' } },
        'credential.issuer must be an https issuer URL; got "http://issuer.example"',
      ));
    it('a federated subject is empty', () =>
      failsWith(
        { credential: { kind: 'federated', issuer: 'https://issuer.example', subject: ' ' } },
        'credential.subject must be a non-empty subject; got " "',
      ));
  });
});
