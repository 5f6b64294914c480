import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../runtime/src/config.js';
import { generateApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import type { ApiKeyRecords, ApiKeyRow } from '../../../runtime/src/credentials/api-keys/api-key-records.js';
import { API_KEY_CREATED_TOPIC, ApiKeyResolver } from '../../../runtime/src/credentials/api-keys/api-key-resolver.js';
import { startTestApp } from '../../support/app.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey } from '../auth/helpers.js';

/** Changes the last character of a key's secret part to another one, then fixes nothing: a wrong secret. */
const wrongSecret = (key: string): string => {
  const i = key.length - 7;
  return `${key.slice(0, i)}${key[i] === 'a' ? 'b' : 'a'}${key.slice(i + 1)}`;
};

describe.each(STORE_DIALECTS)('metrics listener on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('serves /metrics on METRICS_PORT only; the service port answers 404', async () => {
    const main = await fetch(`${suite.app.baseUrl}/metrics`);
    expect(main.status).toBe(404);
    expect(await main.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
    const metrics = await fetch(`${suite.app.metricsUrl}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await metrics.text()).toContain('gatehouse_http_request_duration_seconds');
    const other = await fetch(`${suite.app.metricsUrl}/healthz`);
    expect(other.status).toBe(404);
    await other.text();
    const doc = (await (await fetch(`${suite.app.baseUrl}/openapi.json`)).json()) as { paths: object };
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
  });

  it('publishes coarse reasons: an unknown key id and a wrong secret are both "invalid"', async () => {
    const unknown = generateApiKey('test').apiKey;
    const key = await createKey(suite.app, suite.admin, { name: 'metrics-probe', scopes: ['search:read'] });
    const bad = wrongSecret(key.api_key);
    expect((await call(suite.app, '/auth/verify', { apiKey: unknown })).status).toBe(401);
    const badAnswer = await call(suite.app, '/auth/verify', { apiKey: bad });
    expect(badAnswer.status).toBe(401);
    const text = await (await fetch(`${suite.app.metricsUrl}/metrics`)).text();
    const reasons = [...text.matchAll(/^gatehouse_auth_outcomes_total\{[^}]*reason="([^"]+)"\}/gm)].map((m) => m[1]);
    expect(new Set(reasons)).toEqual(new Set(['ok', 'invalid']));
    expect(text).not.toMatch(/reason="(unknown|bad_secret|checksum|malformed)"/);
  });

  it('asks the store about an unknown key id once per cache lifetime, like a known one', async () => {
    const known = await createKey(suite.app, suite.admin, { name: 'known', scopes: ['search:read'] });
    const real = await suite.app.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('key_id', '=', known.key_id)
      .executeTakeFirstOrThrow();
    const lookups: string[] = [];
    const records = {
      findByKeyId: async (keyId: string) => {
        lookups.push(keyId);
        return keyId === known.key_id ? (real as ApiKeyRow) : undefined;
      },
      touchLastUsed: async () => undefined,
    } as unknown as ApiKeyRecords;
    const bus = suite.app.services.bus;
    const resolver = new ApiKeyResolver(suite.app.ctx, records, bus);
    const request = { req: {} as never, ip: '198.18.0.9', userAgent: null };
    const unknown = generateApiKey('test');
    for (let i = 0; i < 3; i++) {
      await resolver.resolve(known.api_key, request);
      await expect(resolver.resolve(unknown.apiKey, request)).rejects.toMatchObject({ code: 'unauthorized' });
    }
    expect(lookups.sort()).toEqual([known.key_id, unknown.keyId].sort());
    // A key created with that id is announced on the bus: the negative entry goes, the store is asked again.
    await bus.publish(API_KEY_CREATED_TOPIC, unknown.keyId);
    await expect(resolver.resolve(unknown.apiKey, request)).rejects.toMatchObject({ code: 'unauthorized' });
    expect(lookups.filter((id) => id === unknown.keyId)).toHaveLength(2);
  });

  it('announces a created key id on the invalidation bus', async () => {
    const announced: string[] = [];
    const unsubscribe = suite.app.services.bus.subscribe(API_KEY_CREATED_TOPIC, {
      onKey: (keyId) => announced.push(keyId),
      onReset: () => undefined,
    });
    try {
      const key = await createKey(suite.app, suite.admin, { name: 'announced', scopes: ['search:read'] });
      expect(announced).toContain(key.key_id);
    } finally {
      unsubscribe();
    }
  });
});

describe('METRICS_PORT', () => {
  const env = { KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY, API_KEY_PEPPER: TEST_API_KEY_PEPPER, PORT: '8080' };

  it('is off when unset, and must differ from PORT', async () => {
    expect(loadConfig(env).metricsPort).toBeUndefined();
    expect(loadConfig({ ...env, METRICS_PORT: '9464' }).metricsPort).toBe(9464);
    expect(() => loadConfig({ ...env, METRICS_PORT: '8080' })).toThrow(
      'METRICS_PORT must differ from PORT (both are 8080): metrics are served on a listener of their own',
    );
    expect(() => loadConfig({ ...env, METRICS_PORT: 'x' })).toThrow(
      'METRICS_PORT must be a port number from 0 to 65535 (default: unset, off)',
    );
    const app = await startTestApp({ dialect: 'sqlite', env: { METRICS_PORT: '' } });
    try {
      expect(app.metricsUrl).toBeUndefined();
      expect((await fetch(`${app.baseUrl}/metrics`)).status).toBe(404);
    } finally {
      await app.close();
    }
  });
});
