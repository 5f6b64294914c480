import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Application } from '@cdktf/provider-azuread/lib/application/index.js';
import { ApplicationPasswordA } from '@cdktf/provider-azuread/lib/application-password/index.js';
import { ApplicationRedirectUris } from '@cdktf/provider-azuread/lib/application-redirect-uris/index.js';
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider/index.js';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal/index.js';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault/index.js';
import { KeyVaultSecret } from '@cdktf/provider-azurerm/lib/key-vault-secret/index.js';
import { App, Aspects, TerraformOutput, TerraformStack, Testing } from 'cdktf';
import { afterAll, describe, expect, it } from 'vitest';
import { AuthKeyVault } from '../../constructs/auth-key-vault/index.js';
import { GatehousePolicy } from '../../constructs/core/index.js';
import { EntraApiApplication } from '../../constructs/entra-api-application/index.js';
import { testStack } from './synth-helpers.js';

function policedStack(build: (stack: TerraformStack) => void): TerraformStack {
  const stack = testStack();
  Aspects.of(stack).add(new GatehousePolicy());
  build(stack);
  return stack;
}

const vaultProps = { name: 'kv', location: 'we', resourceGroupName: 'rg', skuName: 'standard', tenantId: 't' };

describe('GatehousePolicy', () => {
  it('passes a stack built from gatehouse constructs', () => {
    const stack = policedStack((scope) => {
      const keyVault = new AuthKeyVault(scope, 'Vault', {
        name: 'kv-test',
        resourceGroupName: 'rg',
        location: 'we',
        deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
      });
      const api = new EntraApiApplication(scope, 'Api', {
        applicationName: 'gatehouse',
        loopbackRedirectsAllowed: true,
        redirectUris: ['https://a.example/cb', 'http://localhost:3000/cb'],
        credential: { kind: 'clientSecret', keyVault },
      });
      keyVault.addGeneratedSecret('pepper');
      new TerraformOutput(scope, 'client_id', { value: api.applicationClientId });
    });
    expect(() => Testing.synth(stack, true)).not.toThrow();
  });

  describe('fails when', () => {
    const failsWith = (build: (stack: TerraformStack) => void, message: string) =>
      expect(() => Testing.synth(policedStack(build), true)).toThrow(message);

    it('a Key Vault has no purge protection', () =>
      failsWith(
        (s) => new KeyVault(s, 'Kv', { ...vaultProps, rbacAuthorizationEnabled: true }),
        'gatehouse policy: Key Vault must have purge_protection_enabled = true',
      ));
    it('a Key Vault uses access policies instead of RBAC', () =>
      failsWith(
        (s) => new KeyVault(s, 'Kv', { ...vaultProps, purgeProtectionEnabled: true }),
        'gatehouse policy: Key Vault must use RBAC authorization',
      ));
    it('an escape hatch turns purge protection off', () =>
      failsWith((s) => {
        const vault = new AuthKeyVault(s, 'Vault', {
          name: 'kv-test',
          resourceGroupName: 'rg',
          location: 'we',
          deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
        });
        vault.keyVault.addOverride('purge_protection_enabled', false);
      }, '[test/Vault/Resource] gatehouse policy: Key Vault must have purge_protection_enabled = true'));
    it('a secret has no expiry', () =>
      failsWith(
        (s) => new KeyVaultSecret(s, 'Secret', { name: 'x', keyVaultId: 'kv', value: 'v' }),
        'gatehouse policy: Key Vault secret must have an expiration_date',
      ));
    it('an application has a non-loopback http redirect URI', () =>
      failsWith(
        (s) => new Application(s, 'App', { displayName: 'x', web: { redirectUris: ['http://app.example/cb'] } }),
        'gatehouse policy: redirect URI "http://app.example/cb" uses http on a non-loopback host; use https',
      ));
    it('a redirect URI resource has a non-loopback http URI', () =>
      failsWith(
        (s) =>
          new ApplicationRedirectUris(s, 'R', { applicationId: 'a', type: 'Web', redirectUris: ['http://x.example/'] }),
        'redirect URI "http://x.example/" uses http on a non-loopback host',
      ));
    it('a service principal does not require assignment', () =>
      failsWith(
        (s) => new ServicePrincipal(s, 'Sp', { clientId: 'c' }),
        'gatehouse policy: service principal must set app_role_assignment_required = true',
      ));
    it('an output exposes a secret value', () =>
      failsWith((s) => {
        const password = new ApplicationPasswordA(s, 'Password', { applicationId: 'a' });
        new TerraformOutput(s, 'leak', { value: password.value, sensitive: true });
      }, 'gatehouse policy: output must not expose a secret value (references azuread_application_password.'));
    it('app.synth() runs into a violation', () => {
      const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-policy-'));
      afterAll(() => rmSync(outdir, { recursive: true, force: true }));
      const app = new App({ outdir });
      const stack = new TerraformStack(app, 'policed');
      new AzureadProvider(stack, 'azuread', {});
      Aspects.of(stack).add(new GatehousePolicy());
      new ServicePrincipal(stack, 'Sp', { clientId: 'c' });
      expect(() => app.synth()).toThrow('service principal must set app_role_assignment_required = true');
    });
  });
});
