import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import type { ApiKeyRecords } from '../../../runtime/src/credentials/api-keys/api-key-records.js';
import { ApiKeyResolver } from '../../../runtime/src/credentials/api-keys/api-key-resolver.js';
import { AppError } from '../../../runtime/src/errors.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';

/** Changes one character of the secret part, keeping the shape: the checksum no longer matches. */
const typo = (key: string): string => {
  const i = 'sk_test_'.length + 20;
  return `${key.slice(0, i)}${key[i] === 'a' ? 'b' : 'a'}${key.slice(i + 1)}`;
};

describe.each(STORE_DIALECTS)('API key checksum on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('refuses a key with a wrong checksum without asking the store', async () => {
    let lookups = 0;
    const records = {
      findByKeyId: async () => {
        lookups++;
        throw new Error('the store must not be asked');
      },
    } as unknown as ApiKeyRecords;
    const resolver = new ApiKeyResolver(suite.app.ctx, records, suite.app.services.bus);
    const request = { req: {} as never, ip: '198.18.0.1', userAgent: null };
    for (const presented of [typo(suite.admin), 'sk_test_short', `sk_live_${suite.admin.slice(8)}`]) {
      const error = await resolver.resolve(presented, request).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(AppError);
      expect(error).toMatchObject({ code: 'unauthorized', message: 'Invalid API key', reason: 'checksum' });
    }
    expect(lookups).toBe(0);
    // The same resolver does ask the store for a well-formed key (so the stub above was really in the path).
    await expect(resolver.resolve(suite.admin, request)).rejects.toThrow('the store must not be asked');
  });

  it('answers 401 unauthorized over HTTP and writes no audit row for a checksum failure', async () => {
    const bad = typo(suite.admin);
    const res = await call(suite.app, '/auth/me', { apiKey: bad });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });
    const metrics = await (await fetch(`${suite.app.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(/gatehouse_auth_outcomes_total\{kind="api_key",outcome="failure",reason="invalid"\} [1-9]/);
    const failures = await suite.app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'api_key.use_failed')
      .execute();
    expect(failures).toEqual([]);
  });
});

describe('API key environment prefix', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite', env: { NODE_ENV: 'production' } });
  });
  afterAll(() => app?.close());

  it('issues sk_live_ keys in production and refuses well-formed sk_test_ ones there without a store look-up', async () => {
    const live = await bootstrapAdminKey(app);
    expect(live).toMatch(/^sk_live_/);
    expect((await call(app, '/auth/me', { apiKey: live })).status).toBe(200);

    let lookups = 0;
    const records = {
      findByKeyId: async () => {
        lookups++;
        return undefined;
      },
    } as unknown as ApiKeyRecords;
    const resolver = new ApiKeyResolver(app.ctx, records, app.services.bus);
    const request = { req: {} as never, ip: '198.18.0.2', userAgent: null };
    const testKey = generateApiKey('test').apiKey;
    await expect(resolver.resolve(testKey, request)).rejects.toMatchObject({
      code: 'unauthorized',
      reason: 'checksum',
    });
    expect(lookups).toBe(0);
    await expect(resolver.resolve(generateApiKey('live').apiKey, request)).rejects.toMatchObject({ reason: 'unknown' });
    expect(lookups).toBe(1);

    const res = await call(app, '/auth/me', { apiKey: testKey });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });
  });
});
