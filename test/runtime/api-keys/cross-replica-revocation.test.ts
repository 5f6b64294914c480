import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeAccessToken } from '../../../runtime/src/auth/access-token-denylist.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { bootstrapAdminKey, call, createKey, eventually } from '../auth/helpers.js';

describe('revocation across two replicas on one PostgreSQL database', () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  beforeAll(async () => {
    a = await startTestApp({ dialect: 'postgres' });
    b = await startTestApp({ dialect: 'postgres', database: a.database, clock: a.clock });
    await Promise.all([a.services.bus.ready(), b.services.bus.ready()]);
    admin = await bootstrapAdminKey(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('rejects a revoked API key on the other replica before its cache entry expires', async () => {
    const key = await createKey(a, admin, { name: 'replicated', scopes: ['graph:read'] });
    // Replica B checks (and caches) the key first.
    expect((await call(b, '/auth/verify?scope=graph:read', { apiKey: key.api_key })).status).toBe(200);
    expect((await call(b, '/auth/verify?scope=graph:read', { apiKey: key.api_key })).status).toBe(200);

    expect((await call(a, `/api/v1/api-keys/${key.id}`, { apiKey: admin, method: 'DELETE' })).status).toBe(204);
    await eventually(async () => (await call(b, '/auth/verify', { apiKey: key.api_key })).status === 401);
    const refused = await call(b, '/auth/me', { apiKey: key.api_key });
    expect(await refused.json()).toEqual({ error: { code: 'unauthorized', message: 'The API key has been revoked' } });
  });

  it('ends a rotated key on the other replica when the grace period is 0', async () => {
    const key = await createKey(a, admin, { name: 'rotated', scopes: ['graph:read'] });
    expect((await call(b, '/auth/verify', { apiKey: key.api_key })).status).toBe(200);
    const res = await call(a, `/api/v1/api-keys/${key.id}/rotate`, {
      apiKey: admin,
      body: { grace_period_seconds: 0 },
    });
    expect(res.status).toBe(201);
    const replacement = (await res.json()) as { api_key: string };
    await eventually(async () => (await call(b, '/auth/verify', { apiKey: key.api_key })).status === 401);
    expect((await call(b, '/auth/verify', { apiKey: replacement.api_key })).status).toBe(200);
  });

  it('rejects a revoked access token on the other replica before its cache entry expires', async () => {
    const issued = await a.ctx.tokens.issue({
      subject: 'svc-1',
      role: null,
      scopes: ['search:read'],
      authKind: 'client_credentials',
      orgId: 'default',
    });
    expect((await call(b, '/auth/verify', { bearer: issued.token })).status).toBe(200);
    await revokeAccessToken(a.ctx, a.services.denylist, issued.jti, issued.expiresAt);
    await eventually(async () => (await call(b, '/auth/verify', { bearer: issued.token })).status === 401);
  });
});
