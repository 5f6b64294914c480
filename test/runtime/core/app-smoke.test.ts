import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';

describe.each(STORE_DIALECTS)('runtime on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect });
  });
  afterAll(() => app?.close());

  it('answers /healthz and /readyz', async () => {
    const health = await fetch(`${app.baseUrl}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${app.baseUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { store: 'ok', signing_key: 'ok' } });
  });

  it('answers unknown paths with the contract not_found body', async () => {
    const res = await fetch(`${app.baseUrl}/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
  });

  it('publishes the active key in JWKS with cache headers', async () => {
    const res = await fetch(`${app.baseUrl}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toContain('max-age=300');
    const body = (await res.json()) as { keys: Array<{ kid: string; alg: string; d?: string }> };
    expect(body.keys).toHaveLength(1);
    expect(body.keys[0]).toMatchObject({ kid: app.ctx.keys.activeKey().kid, alg: 'ES256', use: 'sig' });
    expect(body.keys[0]?.d).toBeUndefined();
  });
});
