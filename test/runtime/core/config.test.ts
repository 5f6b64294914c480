import { existsSync, mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { ConfigError, DEV_SECRETS_FILE, type Env, loadConfig } from '../../../runtime/src/config.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';

const tempDir = () => mkdtempSync(join(tmpdir(), 'gatehouse-config-'));

function problemsOf(env: Env): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems;
  }
  throw new Error('expected loadConfig to throw');
}

describe('loadConfig', () => {
  it('applies the documented defaults', () => {
    const dataDir = tempDir();
    const config = loadConfig({
      DATA_DIR: dataDir,
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    });
    expect(config).toMatchObject({
      nodeEnv: 'development',
      port: 8080,
      publicUrl: 'http://localhost:8080',
      accessTokenAudience: 'http://localhost:8080',
      accessTokenTtlSeconds: 1800,
      refreshTokenTtlSeconds: 1_209_600,
      sessionMaxLifetimeSeconds: 2_592_000,
      apiKeyCacheTtlSeconds: 30,
      signingAlg: 'ES256',
      keyRotationDays: 90,
      logLevel: 'info',
      allowedOrigins: ['http://localhost:8080'],
      allowedRedirectUris: ['http://localhost:8080/auth/callback'],
      oidc: undefined,
      redisUrl: undefined,
      database: { kind: 'sqlite', filename: join(dataDir, 'gatehouse.db') },
      warnings: [],
    });
    expect(config.keyEncryptionKey.reveal()).toEqual(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex'));
  });

  it('names every missing production variable in one error', () => {
    const problems = problemsOf({ NODE_ENV: 'production', DATA_DIR: tempDir() });
    expect(problems).toEqual([
      'PUBLIC_URL is required in production (the external https URL of the runtime)',
      'KEY_ENCRYPTION_KEY is required in production (at least 32 bytes, hex or base64)',
      'API_KEY_PEPPER is required in production (at least 32 bytes, hex or base64)',
    ]);
  });

  it('names each invalid variable with what is allowed, and never prints a secret value', () => {
    const shortKek = 'c2VjcmV0LXRoYXQtaXMtdG9vLXNob3J0';
    const shortPepper = 'abcdef0123456789';
    let message = '';
    try {
      loadConfig({
        NODE_ENV: 'staging',
        PORT: 'eighty',
        PUBLIC_URL: 'ftp://example.com',
        DATABASE_URL: 'mysql://db/x',
        KEY_ENCRYPTION_KEY: shortKek,
        API_KEY_PEPPER: shortPepper,
        ACCESS_TOKEN_TTL_SECONDS: '5',
        REFRESH_TOKEN_TTL_SECONDS: '1.5',
        SESSION_MAX_LIFETIME_SECONDS: '60',
        API_KEY_CACHE_TTL_SECONDS: '-1',
        SIGNING_ALG: 'HS256',
        KEY_ROTATION_DAYS: '400',
        LOG_LEVEL: 'loud',
        OIDC_CLIENT_SECRET: 'oidc-secret-value',
        ALLOWED_ORIGINS: 'https://ok.example.com,not a url',
        REDIS_URL: 'http://redis',
        CATALOG_JSON: '{',
      });
    } catch (error) {
      message = (error as Error).message;
    }
    for (const expected of [
      'NODE_ENV must be one of production, development, test (default development)',
      'PORT must be an integer from 0 to 65535 (default 8080)',
      'PUBLIC_URL must be an absolute http(s) URL',
      'DATABASE_URL must be sqlite:<file path> or postgres://user@host:port/database',
      'KEY_ENCRYPTION_KEY must be at least 32 random bytes, hex or base64 encoded',
      'API_KEY_PEPPER must be at least 32 random bytes, hex or base64 encoded',
      'ACCESS_TOKEN_TTL_SECONDS must be an integer from 60 to 86400 (default 1800)',
      'REFRESH_TOKEN_TTL_SECONDS must be an integer from 300 to 7776000 (default 1209600)',
      'SESSION_MAX_LIFETIME_SECONDS must be an integer from 300 to 31536000 (default 2592000)',
      'API_KEY_CACHE_TTL_SECONDS must be an integer from 0 to 300 (default 30)',
      'SIGNING_ALG must be one of ES256, EdDSA, RS256 (default ES256)',
      'KEY_ROTATION_DAYS must be an integer from 0 to 365 (default 90)',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (default info)',
      'OIDC_ISSUER is required when any OIDC_* variable is set',
      'OIDC_CLIENT_ID is required when any OIDC_* variable is set',
      'ALLOWED_ORIGINS must be a comma-separated list of origins',
      'REDIS_URL must start with redis:// or rediss://',
      'CATALOG_JSON is not a valid permission catalog',
    ]) {
      expect(message).toContain(expected);
    }
    for (const secret of [shortKek, shortPepper, 'oidc-secret-value']) expect(message).not.toContain(secret);
  });

  it('accepts hex and base64 key material of at least 32 bytes', () => {
    const base64 = Buffer.alloc(32, 7).toString('base64');
    const config = loadConfig({ DATA_DIR: tempDir(), KEY_ENCRYPTION_KEY: base64, API_KEY_PEPPER: 'ab'.repeat(40) });
    expect(config.keyEncryptionKey.reveal()).toEqual(Buffer.alloc(32, 7));
    expect(config.apiKeyPepper.length).toBe(40);
  });

  it('never serializes key material', () => {
    const config = loadConfig({
      DATA_DIR: tempDir(),
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    });
    const printed = `${JSON.stringify(config)} ${inspect(config, { depth: 5 })} ${String(config.apiKeyPepper)}`;
    expect(printed).not.toContain(TEST_KEY_ENCRYPTION_KEY);
    expect(printed).not.toContain(Buffer.from(TEST_KEY_ENCRYPTION_KEY, 'hex').toString('base64'));
    expect(printed).toContain('[redacted]');
  });

  it('generates development secrets once, keeps them in the data dir (0600) and warns', () => {
    const dataDir = tempDir();
    const first = loadConfig({ DATA_DIR: dataDir });
    const file = join(dataDir, DEV_SECRETS_FILE);
    expect(existsSync(file)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(first.warnings[0]).toContain('KEY_ENCRYPTION_KEY/API_KEY_PEPPER not set');
    expect(first.warnings[0]).not.toContain(readFileSync(file, 'utf8'));
    const second = loadConfig({ DATA_DIR: dataDir });
    expect(second.keyEncryptionKey.reveal()).toEqual(first.keyEncryptionKey.reveal());
    expect(second.apiKeyPepper.reveal()).toEqual(first.apiKeyPepper.reveal());
    expect(first.keyEncryptionKey.reveal()).not.toEqual(first.apiKeyPepper.reveal());
  });

  it('parses postgres and sqlite DATABASE_URLs and the OIDC group', () => {
    const base = {
      DATA_DIR: tempDir(),
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    };
    expect(loadConfig({ ...base, DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/test' }).database).toEqual({
      kind: 'postgres',
      url: 'postgres://postgres@127.0.0.1:5432/test',
    });
    expect(loadConfig({ ...base, DATABASE_URL: 'sqlite:/var/lib/gh.db' }).database).toEqual({
      kind: 'sqlite',
      filename: '/var/lib/gh.db',
    });
    const config = loadConfig({
      ...base,
      OIDC_ISSUER: 'https://login.microsoftonline.com/tenant/v2.0/',
      OIDC_CLIENT_ID: 'client',
      OIDC_CLIENT_SECRET: 'shh',
    });
    expect(config.oidc).toMatchObject({
      issuer: 'https://login.microsoftonline.com/tenant/v2.0',
      clientId: 'client',
      audience: 'client',
    });
    expect(config.oidc?.clientSecret?.reveal().toString()).toBe('shh');
  });

  it('refuses a multi-tenant Entra OIDC_ISSUER and names what is allowed', () => {
    const base = {
      DATA_DIR: tempDir(),
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
      OIDC_CLIENT_ID: 'client',
      OIDC_CLIENT_SECRET: 'shh',
    };
    const refusal =
      'OIDC_ISSUER must be the issuer of one Entra tenant, https://login.microsoftonline.com/<tenant-id>/v2.0: ' +
      'multi-tenant issuers (common, organizations, consumers, {tenantid}) would let users of any tenant sign in';
    for (const issuer of [
      'https://login.microsoftonline.com/common/v2.0',
      'https://login.microsoftonline.com/organizations/v2.0/',
      'https://login.microsoftonline.com/Consumers/v2.0',
      'https://login.microsoftonline.us/common/v2.0',
      'https://login.microsoftonline.com/{tenantid}/v2.0',
      'https://sts.windows.net/{tenantid}/',
    ]) {
      expect(problemsOf({ ...base, OIDC_ISSUER: issuer }), issuer).toEqual([refusal]);
    }
    const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
    expect(loadConfig({ ...base, OIDC_ISSUER: `https://login.microsoftonline.com/${tenant}/v2.0` }).oidc?.issuer).toBe(
      `https://login.microsoftonline.com/${tenant}/v2.0`,
    );
    // Another identity provider's path named "common" is not Entra's multi-tenant endpoint.
    expect(loadConfig({ ...base, OIDC_ISSUER: 'https://idp.example.com/common' }).oidc?.issuer).toBe(
      'https://idp.example.com/common',
    );
  });
});
