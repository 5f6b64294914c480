import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey, eventually, forgeSecret } from '../auth/helpers.js';

const DAY = 86_400;

describe.each(STORE_DIALECTS)('API keys on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  /** Runs `fn` with the clock moved forward, then puts it back so later tests see the original time. */
  async function later<T>(seconds: number, fn: () => Promise<T>): Promise<T> {
    suite.app.clock.advance(seconds);
    try {
      return await fn();
    } finally {
      suite.app.clock.advance(-seconds);
    }
  }

  it('accepts the bootstrap suite.admin key on /auth/me', async () => {
    const res = await call(suite.app, '/auth/me', { apiKey: suite.admin });
    expect(res.status).toBe(200);
    const keyId = suite.admin.slice('sk_test_'.length, 'sk_test_'.length + 16);
    expect(await res.json()).toEqual({
      role: 'admin',
      auth_kind: 'api_key',
      org_id: 'default',
      team_id: null,
      subject: `api_key:${keyId}`,
      email: null,
      name: 'tests',
      can_write: true,
      permissions: suite.app.config.catalog.permissionValues,
      scopes: suite.app.config.catalog.permissionValues,
    });
  });

  it('creates a key: 201 with the secret once, in the documented shape', async () => {
    const res = await call(suite.app, '/api/v1/api-keys', {
      apiKey: suite.admin,
      body: { name: 'SIEM export', description: 'nightly', scopes: ['search:read', 'investigations:read'] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      [
        'api_key',
        'created_at',
        'expires_at',
        'header_name',
        'id',
        'key_id',
        'name',
        'rate_limit_per_minute',
        'scopes',
      ].sort(),
    );
    expect(body).toMatchObject({
      name: 'SIEM export',
      scopes: ['investigations:read', 'search:read'],
      expires_at: null,
      rate_limit_per_minute: null,
      header_name: 'X-API-Key',
      created_at: new Date(suite.app.clock.now()).toISOString(),
    });
    expect(body.api_key).toMatch(new RegExp(`^sk_test_${body.key_id}[0-9A-Za-z]{30}$`));
    expect(body.id).toMatch(/^key_[a-z0-9]{20}$/);
    const stored = await suite.app.store.db
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', body.id as string)
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(stored)).not.toContain((body.api_key as string).slice(24, 48));
    expect(stored.secret_hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('validates the body, naming the field and what is allowed', async () => {
    const unknownScope = await call(suite.app, '/api/v1/api-keys', {
      apiKey: suite.admin,
      body: { name: 'x', scopes: ['graph:delete'] },
    });
    expect(unknownScope.status).toBe(400);
    expect(await unknownScope.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: `body.scopes: unknown scope "graph:delete"; allowed: ${suite.app.config.catalog.permissionValues.join(', ')}`,
      },
    });
    const badDays = await call(suite.app, '/api/v1/api-keys', {
      apiKey: suite.admin,
      body: { name: 'x', scopes: ['graph:read'], expires_in_days: 0 },
    });
    expect(badDays.status).toBe(400);
    expect(((await badDays.json()) as { error: { message: string } }).error.message).toMatch(
      /^body\.expires_in_days: /,
    );
    const stray = await call(suite.app, '/api/v1/api-keys', {
      apiKey: suite.admin,
      body: { service_name: 'x', name: 'x', scopes: ['graph:read'] },
    });
    expect(stray.status).toBe(400);
    expect(((await stray.json()) as { error: { message: string } }).error.message).toContain('service_name');
  });

  it('never lets a caller grant a scope it does not hold', async () => {
    const manager = await createKey(suite.app, suite.admin, {
      name: 'manager',
      scopes: ['api_keys:manage', 'search:read'],
    });
    const res = await call(suite.app, '/api/v1/api-keys', {
      apiKey: manager.api_key,
      body: { name: 'escalation', scopes: ['search:read', 'graph:read'] },
    });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: 'You cannot grant "graph:read": you do not hold it yourself' },
    });
    const allowed = await call(suite.app, '/api/v1/api-keys', {
      apiKey: manager.api_key,
      body: { name: 'narrower', scopes: ['search:read'] },
    });
    expect(allowed.status).toBe(201);
  });

  it('uses a key within its scopes and answers 403 naming the missing permission or scope', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'reader', scopes: ['search:read'] });
    const verify = await call(suite.app, '/auth/verify?scope=search:read', { apiKey: key.api_key });
    expect(verify.status).toBe(200);
    expect(verify.headers.get('x-auth-subject')).toBe(`api_key:${key.key_id}`);

    const denied = await call(suite.app, '/auth/verify?scope=search:read,graph:read', { apiKey: key.api_key });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "graph:read"' },
    });
    const management = await call(suite.app, '/api/v1/api-keys', { apiKey: key.api_key });
    expect(management.status).toBe(403);
    expect(await management.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the permission "api_keys:manage"' },
    });
  });

  it('refuses an expired key with token_expired, but a wrong secret for it with unauthorized', async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'short-lived',
      scopes: ['graph:read'],
      expires_in_days: 1,
    });
    expect((await call(suite.app, '/auth/me', { apiKey: key.api_key })).status).toBe(200);
    await later(DAY + 1, async () => {
      const expired = await call(suite.app, '/auth/me', { apiKey: key.api_key });
      expect(expired.status).toBe(401);
      expect(await expired.json()).toEqual({ error: { code: 'token_expired', message: 'The API key has expired' } });
      const forged = forgeSecret(key.api_key);
      const wrong = await call(suite.app, '/auth/me', { apiKey: forged });
      expect(wrong.status).toBe(401);
      expect(await wrong.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });
    });
  });

  it('rotates with overlap: both keys work during the grace period, then only the new one', async () => {
    const old = await createKey(suite.app, suite.admin, {
      name: 'ci',
      scopes: ['incidents:read'],
      expires_in_days: 30,
    });
    const res = await call(suite.app, `/api/v1/api-keys/${old.id}/rotate`, {
      apiKey: suite.admin,
      body: { grace_period_seconds: 600 },
    });
    expect(res.status).toBe(201);
    const rotated = (await res.json()) as Record<string, string>;
    expect(rotated).toMatchObject({
      name: 'ci',
      scopes: ['incidents:read'],
      header_name: 'X-API-Key',
      rotated_from: old.id,
      previous_key_id: old.key_id,
      previous_key_valid_until: new Date(suite.app.clock.now() + 600_000).toISOString(),
      expires_at: new Date(suite.app.clock.now() + 30 * DAY * 1000).toISOString(),
    });
    expect(rotated.api_key).not.toBe(old.api_key);

    expect((await call(suite.app, '/auth/verify?scope=incidents:read', { apiKey: old.api_key })).status).toBe(200);
    expect((await call(suite.app, '/auth/verify?scope=incidents:read', { apiKey: rotated.api_key })).status).toBe(200);

    await later(601, async () => {
      const refused = await call(suite.app, '/auth/verify', { apiKey: old.api_key });
      expect(refused.status).toBe(401);
      expect(await refused.json()).toEqual({
        error: {
          code: 'token_expired',
          message: 'The API key was replaced by rotation and its grace period has ended',
        },
      });
      expect((await call(suite.app, '/auth/verify', { apiKey: rotated.api_key })).status).toBe(200);
      const list = (await (await call(suite.app, '/api/v1/api-keys', { apiKey: suite.admin })).json()) as {
        api_keys: Array<{ id: string; status: string; rotated_from: string | null }>;
      };
      expect(list.api_keys.find((k) => k.id === old.id)?.status).toBe('expired');
      expect(list.api_keys.find((k) => k.id === rotated.id)).toMatchObject({ status: 'active', rotated_from: old.id });
    });

    const again = await call(suite.app, `/api/v1/api-keys/${old.id}/rotate`, { apiKey: suite.admin, body: {} });
    expect(again.status).toBe(409);
    expect(await again.json()).toEqual({
      error: { code: 'conflict', message: 'The API key was already rotated; rotate its replacement instead' },
    });
  });

  it('rotates with a grace period of 0: the old key is refused at once', async () => {
    const old = await createKey(suite.app, suite.admin, { name: 'immediate', scopes: ['graph:read'] });
    expect((await call(suite.app, '/auth/me', { apiKey: old.api_key })).status).toBe(200);
    const res = await call(suite.app, `/api/v1/api-keys/${old.id}/rotate`, {
      apiKey: suite.admin,
      body: { grace_period_seconds: 0 },
    });
    expect(res.status).toBe(201);
    const refused = await call(suite.app, '/auth/me', { apiKey: old.api_key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'unauthorized', message: 'The API key has been revoked' } });
  });

  it('revokes at once, even a key this replica has cached', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'to-revoke', scopes: ['graph:read'] });
    expect((await call(suite.app, '/auth/me', { apiKey: key.api_key })).status).toBe(200);
    const res = await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' });
    expect(res.status).toBe(204);
    const refused = await call(suite.app, '/auth/me', { apiKey: key.api_key });
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: { code: 'unauthorized', message: 'The API key has been revoked' } });
    const list = (await (await call(suite.app, '/api/v1/api-keys', { apiKey: suite.admin })).json()) as {
      api_keys: Array<{ id: string; status: string; revoked_at: string | null }>;
    };
    expect(list.api_keys.find((k) => k.id === key.id)).toMatchObject({ status: 'revoked' });
    expect(
      (await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' })).status,
    ).toBe(204);
    const missing = await call(suite.app, '/api/v1/api-keys/key_00000000000000000000', {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: { code: 'not_found', message: 'No such API key' } });
  });

  it('lists keys without secrets or hashes, with status and last_used_at', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'listed', scopes: ['graph:read'] });
    await call(suite.app, '/auth/me', { apiKey: key.api_key });
    await eventually(async () => {
      const row = await suite.app.store.db
        .selectFrom('api_keys')
        .select('last_used_at')
        .where('id', '=', key.id)
        .executeTakeFirstOrThrow();
      return row.last_used_at !== null;
    });
    const res = await call(suite.app, '/api/v1/api-keys', { apiKey: suite.admin });
    const text = await res.text();
    expect(text).not.toContain(key.api_key);
    expect(text).not.toContain('secret_hash');
    const entry = (JSON.parse(text) as { api_keys: Array<Record<string, unknown>> }).api_keys.find(
      (k) => k.id === key.id,
    );
    expect(entry).toEqual({
      id: key.id,
      key_id: key.key_id,
      name: 'listed',
      description: null,
      role: null,
      scopes: ['graph:read'],
      status: 'active',
      owner: expect.stringMatching(/^api_key:/),
      created_at: key.created_at,
      expires_at: null,
      last_used_at: new Date(suite.app.clock.now()).toISOString(),
      revoked_at: null,
      rotated_from: null,
      grace_until: null,
      rate_limit_per_minute: null,
    });
  });

  it('writes last_used_at at most once a minute per key', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'busy', scopes: ['graph:read'] });
    const lastUsed = async () =>
      (
        await suite.app.store.db
          .selectFrom('api_keys')
          .select('last_used_at')
          .where('id', '=', key.id)
          .executeTakeFirstOrThrow()
      ).last_used_at;
    await call(suite.app, '/auth/me', { apiKey: key.api_key });
    await eventually(async () => (await lastUsed()) !== null);
    const first = await lastUsed();
    await later(30, async () => {
      for (let i = 0; i < 5; i++) await call(suite.app, '/auth/me', { apiKey: key.api_key });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(await lastUsed()).toBe(first);
    });
    await later(61, async () => {
      await call(suite.app, '/auth/me', { apiKey: key.api_key });
      const expected = new Date(suite.app.clock.now()).toISOString();
      await eventually(async () => (await lastUsed()) === expected);
    });
  });
});
