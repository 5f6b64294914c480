import { randomInt } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { catalogToJson, defaultCatalog } from '../../catalog/index.js';
import { AuthPlatform, type AuthPlatformProps } from '../../constructs/auth-platform/index.js';
import { loadConfig } from '../../runtime/src/config.js';
import { PLATFORM_PROPS, single, synthJson } from './synth-helpers.js';

/**
 * The construct and the runtime must agree on every variable name and format: feed the env the Container App would
 * get (Terraform references replaced by plausible values, Key Vault references by values shaped like what the
 * construct generates) to the runtime's own `loadConfig`.
 */

const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** What `random_password { length = 64, special = false }` produces. */
const generatedSecret = () => Array.from({ length: 64 }, () => ALPHANUMERIC[randomInt(ALPHANUMERIC.length)]).join('');

const REFERENCE_VALUES: Array<[RegExp, string]> = [
  [
    /^azurerm_container_app_environment\.[\w-]+\.default_domain$/,
    'kindocean-1234abcd.westeurope.azurecontainerapps.io',
  ],
  [/^azurerm_user_assigned_identity\.[\w-]+\.client_id$/, '0b5c6d7e-1111-4222-8333-944455556666'],
  [/^azurerm_user_assigned_identity\.[\w-]+\.name$/, 'gatehouse-test-id'],
  [/^azurerm_postgresql_flexible_server\.[\w-]+\.fqdn$/, 'gatehouse-test-pg.postgres.database.azure.com'],
  [/^azuread_application\.[\w-]+\.client_id$/, '7a8b9c0d-2222-4333-8444-a5556667777b'],
];

function resolveReferences(value: string): string {
  return value.replace(/\$\{([^}]+)\}/g, (_, expression: string) => {
    const found = REFERENCE_VALUES.find(([pattern]) => pattern.test(expression));
    if (!found) throw new Error(`no test value for \${${expression}}`);
    return found[1];
  });
}

const SECRET_VALUES: Record<string, () => string> = {
  'key-encryption-key': generatedSecret,
  'api-key-pepper': generatedSecret,
  'oidc-client-secret': () => 'Q~entra.client-secret_value',
  'database-url': () =>
    `postgres://gatehouse_admin:${generatedSecret().slice(0, 48)}@db.postgres.database.azure.com:5432/gatehouse?sslmode=require`,
  'redis-url': () => 'rediss://:YWNjZXNzK2tleS8%3D@gatehouse-test-redis.redis.cache.windows.net:6380',
};

function containerEnv(props: Partial<AuthPlatformProps>): Record<string, string> {
  const json = synthJson((scope) => {
    new AuthPlatform(scope, 'Platform', { ...PLATFORM_PROPS, ...props });
  });
  const app = single(json, 'azurerm_container_app') as {
    template: { container: Array<{ env: Array<{ name: string; value?: string; secret_name?: string }> }> };
  };
  return Object.fromEntries(
    app.template.container[0].env.map((entry) => {
      if (entry.secret_name) {
        const secret = SECRET_VALUES[entry.secret_name];
        if (!secret) throw new Error(`no test value for secret ${entry.secret_name}`);
        return [entry.name, secret()];
      }
      return [entry.name, resolveReferences(entry.value as string)];
    }),
  );
}

describe('AuthRuntime env and the runtime config agree', () => {
  it('the default platform (federated credential, Entra database auth) is a valid production config', () => {
    const config = loadConfig({ ...containerEnv({}), DATA_DIR: '/tmp/gatehouse-config-check' });
    expect(config).toMatchObject({
      isProduction: true,
      port: 8080,
      publicUrl: 'https://gatehouse-test.kindocean-1234abcd.westeurope.azurecontainerapps.io',
      allowedOrigins: ['https://gatehouse-test.kindocean-1234abcd.westeurope.azurecontainerapps.io'],
      accessTokenTtlSeconds: 1800,
      refreshTokenTtlSeconds: 1_209_600,
      sessionMaxLifetimeSeconds: 2_592_000,
      warnings: [],
      database: {
        kind: 'postgres',
        url: 'postgres://gatehouse-test-id@gatehouse-test-pg.postgres.database.azure.com:5432/gatehouse?sslmode=require',
        auth: { kind: 'managed-identity', clientId: '0b5c6d7e-1111-4222-8333-944455556666' },
      },
      oidc: {
        issuer: 'https://login.microsoftonline.com/00000000-0000-0000-0000-00000000aaaa/v2.0',
        clientId: '7a8b9c0d-2222-4333-8444-a5556667777b',
        audience: '7a8b9c0d-2222-4333-8444-a5556667777b',
        clientSecret: undefined,
        clientAssertion: { kind: 'managed-identity', clientId: '0b5c6d7e-1111-4222-8333-944455556666' },
      },
      redisUrl: undefined,
    });
    expect(config.keyEncryptionKey.reveal().length).toBeGreaterThanOrEqual(32);
    expect(config.apiKeyPepper.reveal().length).toBeGreaterThanOrEqual(32);
    expect(catalogToJson(config.catalog)).toBe(catalogToJson(defaultCatalog));
  });

  it('the client-secret, password-database, Redis variant is a valid production config too', () => {
    const config = loadConfig({
      ...containerEnv({
        runtimeCredential: 'clientSecret',
        runtime: {
          image: { kind: 'prebuilt', reference: `ghcr.io/example/gatehouse-runtime@sha256:${'d'.repeat(64)}` },
          database: { authentication: 'password' },
          redis: {},
          accessTokenTtlSeconds: 900,
        },
      }),
      DATA_DIR: '/tmp/gatehouse-config-check',
    });
    expect(config.database).toEqual({ kind: 'postgres', url: expect.stringMatching(/^postgres:\/\/gatehouse_admin:/) });
    expect(config.oidc?.clientSecret?.reveal().toString('utf8')).toBe('Q~entra.client-secret_value');
    expect(config.oidc?.clientAssertion).toBeUndefined();
    expect(config.redisUrl).toMatch(/^rediss:\/\//);
    expect(config.accessTokenTtlSeconds).toBe(900);
  });
});
