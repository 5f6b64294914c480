import { readFileSync } from 'node:fs';
import { Aspects, type IScopeCallback, Testing } from 'cdktf';
import type { Construct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { ApplicationCredential } from '../../constructs/application-credential/index.js';
import { AuthKeyVault, type AuthKeyVaultProps } from '../../constructs/auth-key-vault/index.js';
import { AuthPlatform, type AuthPlatformProps } from '../../constructs/auth-platform/index.js';
import { AuthRuntime, type AuthRuntimeProps } from '../../constructs/auth-runtime/index.js';
import { GatehousePolicy } from '../../constructs/core/index.js';
import { DeploymentIdentity } from '../../constructs/deployment-identity/index.js';
import { EntraApiApplication, type EntraApiApplicationProps } from '../../constructs/entra-api-application/index.js';
import { StateStorage } from '../../constructs/state-storage/index.js';
import { providersUsed, providerTable } from './provider-table.js';
import { PLATFORM_PROPS } from './synth-helpers.js';

// constructs/README.md tells a user which providers a stack must declare for each construct. Each construct is
// synthesized here alone, at its defaults and with each prop or method that creates resources of another provider.

const IMAGE = `ghcr.io/example/gatehouse-runtime@sha256:${'a'.repeat(64)}`;
const DATABASE = {
  delegatedSubnetId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/virtualNetworks/v/subnets/db',
  privateDnsZoneId: '/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/privateDnsZones/x.postgres',
};
const FEDERATED = {
  kind: 'federated',
  issuer: 'https://token.actions.githubusercontent.com',
  subject: 'repo:acme/app:environment:prod',
} as const;

const vaultIn = (scope: Construct, props: Partial<AuthKeyVaultProps> = {}) =>
  new AuthKeyVault(scope, 'Vault', {
    name: 'kv-gatehouse-test',
    resourceGroupName: 'rg-test',
    location: 'westeurope',
    deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] },
    ...props,
  });
const apiIn = (scope: Construct, props: Partial<EntraApiApplicationProps> = {}) =>
  new EntraApiApplication(scope, 'Api', { applicationName: 'gatehouse', ...props });
const platformIn = (scope: Construct, props: Partial<AuthPlatformProps> = {}) =>
  new AuthPlatform(scope, 'Platform', { ...PLATFORM_PROPS, ...props });
const runtimeIn = (scope: Construct, props: Partial<AuthRuntimeProps> = {}) =>
  new AuthRuntime(scope, 'Runtime', {
    name: 'gatehouse-test',
    resourceGroupName: 'rg-test',
    location: 'westeurope',
    keyVault: vaultIn(scope),
    image: { kind: 'prebuilt', reference: IMAGE },
    database: DATABASE,
    ...props,
  });
const deployerIn = (scope: Construct) =>
  new DeploymentIdentity(scope, 'Deployer', { displayName: 'deployer', repository: 'acme/app', branches: ['main'] });

/** Per construct: a stack using it at its defaults, and stacks using the props or methods that create more. */
const SCENARIOS: Record<string, { defaults: IScopeCallback; others: Record<string, IScopeCallback> }> = {
  AuthPlatform: {
    defaults: (scope) => platformIn(scope),
    others: {
      'clients and a client-secret runtime credential': (scope) =>
        platformIn(scope, {
          runtimeCredential: 'clientSecret',
          clients: [{ id: 'Reporter', scopes: ['search:read'] }],
        }),
    },
  },
  AuthRuntime: {
    defaults: (scope) => runtimeIn(scope),
    others: {
      'a password database and Redis': (scope) =>
        runtimeIn(scope, { database: { ...DATABASE, authentication: 'password' }, redis: { skuName: 'Standard' } }),
    },
  },
  AuthKeyVault: {
    defaults: (scope) => vaultIn(scope),
    others: {
      'without the deployer grant': (scope) => vaultIn(scope, { deployerSecretsOfficerEnabled: false }),
      'a generated secret': (scope) => vaultIn(scope).addGeneratedSecret('pepper', {}),
    },
  },
  EntraApiApplication: {
    defaults: (scope) => apiIn(scope),
    others: {
      'a federated credential': (scope) => apiIn(scope, { credential: FEDERATED }),
      'a client-secret credential': (scope) =>
        apiIn(scope, {
          credential: { kind: 'clientSecret', keyVault: vaultIn(scope, { deployerSecretsOfficerEnabled: false }) },
        }),
    },
  },
  ClientCredentialApp: {
    defaults: (scope) => apiIn(scope).addClient('Reporter', { scopes: ['search:read'] }),
    others: {
      'a federated credential': (scope) =>
        apiIn(scope).addClient('Reporter', { scopes: ['search:read'], credential: FEDERATED }),
      'a client-secret credential': (scope) =>
        apiIn(scope).addClient('Reporter', {
          scopes: ['search:read'],
          credential: { kind: 'clientSecret', keyVault: vaultIn(scope, { deployerSecretsOfficerEnabled: false }) },
        }),
    },
  },
  ApplicationCredential: {
    defaults: (scope) =>
      new ApplicationCredential(scope, 'Credential', {
        applicationId: '/applications/00000000-0000-0000-0000-000000000001',
        credential: FEDERATED,
        defaultSecretName: 'client-secret',
      }),
    others: {
      'a client-secret credential': (scope) =>
        new ApplicationCredential(scope, 'Credential', {
          applicationId: '/applications/00000000-0000-0000-0000-000000000001',
          credential: { kind: 'clientSecret', keyVault: vaultIn(scope, { deployerSecretsOfficerEnabled: false }) },
          defaultSecretName: 'client-secret',
        }),
    },
  },
  StateStorage: {
    defaults: (scope) =>
      new StateStorage(scope, 'State', { resourceGroupName: 'rg', location: 'westeurope', storageAccountName: 'st1' }),
    others: {
      'a state access grant': (scope) =>
        new StateStorage(scope, 'State', {
          resourceGroupName: 'rg',
          location: 'westeurope',
          storageAccountName: 'st1',
        }).grantStateAccess('00000000-0000-0000-0000-000000000002'),
    },
  },
  DeploymentIdentity: {
    defaults: (scope) => deployerIn(scope),
    others: {
      'Microsoft Graph permissions': (scope) =>
        new DeploymentIdentity(scope, 'Deployer', {
          displayName: 'deployer',
          repository: 'acme/app',
          branches: ['main'],
          graphApplicationPermissions: ['Application.Read.All'],
        }),
      'an Azure role': (scope) =>
        deployerIn(scope).assignAzureRole('Reader', { role: 'Reader', scope: '/subscriptions/s/resourceGroups/rg' }),
    },
  },
  GatehousePolicy: {
    defaults: (scope) => Aspects.of(scope).add(new GatehousePolicy()),
    others: {},
  },
};

const table = providerTable(readFileSync('constructs/README.md', 'utf8'));
const used = (build: IScopeCallback) => providersUsed(JSON.parse(Testing.synthScope(build)));
const rowOf = (construct: string) => {
  const row = table.get(construct);
  if (row === undefined) throw new Error(`constructs/README.md has no row for ${construct}`);
  return row;
};

describe('the providers constructs/README.md says a stack declares', () => {
  it('has a row for each construct and for nothing else', () => {
    expect([...table.keys()].sort()).toEqual(Object.keys(SCENARIOS).sort());
  });

  it.each(Object.keys(SCENARIOS))('%s at its defaults needs exactly the providers of its row', (construct) => {
    expect(used(SCENARIOS[construct]!.defaults)).toEqual(rowOf(construct).defaults);
  });

  it.each(Object.keys(SCENARIOS))(
    '%s with other props needs only providers its row names, and each of them',
    (construct) => {
      const { defaults, added } = rowOf(construct);
      const named = [...new Set([...defaults, ...added])].sort();
      const reached = new Set(used(SCENARIOS[construct]!.defaults));
      for (const [name, build] of Object.entries(SCENARIOS[construct]!.others)) {
        const providers = used(build);
        expect(named, `${construct} with ${name} uses ${providers.join(', ')}`).toEqual(
          expect.arrayContaining(providers),
        );
        for (const provider of providers) reached.add(provider);
      }
      expect([...reached].sort()).toEqual(named);
    },
  );
});
