import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../runtime/src/config.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call } from '../auth/helpers.js';

/** One request of each kind: fast routes (ok and error), Express routes (ok and error), unmatched paths. */
const PROBES: ReadonlyArray<readonly [string, string, boolean?]> = [
  ['GET', '/healthz'],
  ['GET', '/auth/verify', true],
  ['GET', '/auth/verify'],
  ['HEAD', '/auth/verify', true],
  ['GET', '/.well-known/jwks.json'],
  ['GET', '/.well-known/oauth-authorization-server'],
  ['POST', '/oauth2/token'],
  ['GET', '/openapi.json'],
  ['GET', '/auth/me', true],
  ['GET', '/api/v1/orgs/%'],
  ['GET', '/no/such/path'],
];

describe.each(STORE_DIALECTS)('security headers on %s', (dialect) => {
  const http = useAppWithAdmin(dialect);
  const https = useAppWithAdmin(dialect, { env: { PUBLIC_URL: 'https://auth.example.test' } });

  it('sends X-Content-Type-Options: nosniff on every response, and no HSTS for an http PUBLIC_URL', async () => {
    for (const [method, path, admin] of PROBES) {
      const res = await call(http.app, path, { method, apiKey: admin ? http.admin : undefined });
      await res.arrayBuffer();
      expect({ method, path, nosniff: res.headers.get('x-content-type-options') }).toEqual({
        method,
        path,
        nosniff: 'nosniff',
      });
      expect(res.headers.get('strict-transport-security')).toBeNull();
    }
  });

  it('sends HSTS on every response when PUBLIC_URL is https', async () => {
    for (const [method, path, admin] of PROBES) {
      const res = await call(https.app, path, { method, apiKey: admin ? https.admin : undefined });
      await res.arrayBuffer();
      expect({ path, hsts: res.headers.get('strict-transport-security') }).toEqual({
        path,
        hsts: 'max-age=31536000',
      });
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    }
  });
});

describe('PUBLIC_URL in production', () => {
  const base = {
    NODE_ENV: 'production',
    KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    DATABASE_URL: 'sqlite::memory:',
  };
  const problemsOf = (env: Record<string, string>): readonly string[] => {
    try {
      loadConfig({ ...base, ...env });
      return [];
    } catch (error) {
      return (error as { problems: readonly string[] }).problems;
    }
  };

  it('refuses a plain-http PUBLIC_URL off loopback at start-up', () => {
    expect(problemsOf({ PUBLIC_URL: 'http://auth.example.com' })).toEqual([
      'PUBLIC_URL must be https in production (got http://auth.example.com); plain http is allowed only on loopback',
    ]);
    expect(problemsOf({ PUBLIC_URL: 'http://10.0.0.4:8080' })).toHaveLength(1);
  });

  it('accepts https, and http on loopback', () => {
    for (const url of [
      'https://auth.example.com',
      'http://localhost:8080',
      'http://127.0.0.1:8080',
      'http://[::1]:8080',
    ]) {
      expect({ url, problems: problemsOf({ PUBLIC_URL: url }) }).toEqual({ url, problems: [] });
    }
  });
});
