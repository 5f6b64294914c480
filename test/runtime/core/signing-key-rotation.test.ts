import { decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { useAppWithAdmin, useTwoReplicasWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, eventually } from '../auth/helpers.js';

const kidsOf = async (app: TestApp): Promise<string[]> => {
  const res = await fetch(`${app.baseUrl}/.well-known/jwks.json`);
  return ((await res.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid).sort();
};

/** How long a consumer may use a JWKS it fetched (max-age plus stale-while-revalidate), from the served header. */
async function jwksCacheSeconds(app: TestApp): Promise<number> {
  const res = await fetch(`${app.baseUrl}/.well-known/jwks.json`);
  await res.arrayBuffer();
  const header = res.headers.get('cache-control') ?? '';
  const seconds = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(header)?.[1] ?? 0);
  return seconds('max-age') + seconds('stale-while-revalidate');
}

const issue = (app: TestApp) =>
  app.ctx.tokens.issue({ subject: 'svc', scopes: ['search:read'], authKind: 'client_credentials', orgId: 'default' });

describe.each(STORE_DIALECTS)('signing key rotation on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('publishes the next key at least one JWKS cache lifetime before it signs', async () => {
    const app = suite.app;
    const current = app.ctx.keys.activeKey().kid;
    const cache = await jwksCacheSeconds(app);
    expect(cache).toBeGreaterThanOrEqual(300);
    const next = await app.ctx.keys.rotate();
    expect(await kidsOf(app)).toEqual([current, next].sort());
    app.clock.advance(cache);
    const before = await issue(app);
    expect(decodeProtectedHeader(before.token).kid).toBe(current);
    // Once every cached JWKS holds it (plus the clock skew), the next key signs.
    app.clock.advance(10);
    const after = await issue(app);
    expect(decodeProtectedHeader(after.token).kid).toBe(next);
    // A token the old key signed just before keeps verifying until it expires.
    await app.ctx.keys.maintain();
    app.clock.advance(app.config.accessTokenTtlSeconds - 60);
    await app.ctx.keys.maintain();
    expect((await call(app, '/auth/verify', { bearer: before.token })).status).toBe(200);
    expect((await call(app, '/auth/verify', { bearer: after.token })).status).toBe(200);
  });
});

describe('signing key rotation across replicas', () => {
  const suite = useTwoReplicasWithAdmin();

  it('reaches the other replica at once through the invalidation bus, and both switch at the activation time', async () => {
    const { first, second } = suite;
    const current = first.ctx.keys.activeKey().kid;
    expect(second.ctx.keys.activeKey().kid).toBe(current);
    const next = await first.ctx.keys.rotate();
    // Far sooner than the periodic re-read (a minute): the notice makes the other replica publish the key too.
    await eventually(async () => (await kidsOf(second)).includes(next));
    expect(second.ctx.keys.activeKey().kid).toBe(current);
    const ahead = (await jwksCacheSeconds(second)) + 10;
    first.clock.advance(ahead);
    second.clock.advance(ahead);
    expect(first.ctx.keys.activeKey().kid).toBe(next);
    expect(second.ctx.keys.activeKey().kid).toBe(next);
    const token = await issue(second);
    expect((await call(first, '/auth/verify', { bearer: token.token })).status).toBe(200);
  });
});
