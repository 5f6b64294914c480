import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';

interface SigningKeyView {
  kid: string;
  alg: string;
  state: string;
  created_at: string;
  activated_at: string;
  retire_after: string | null;
  retired_at: string | null;
}

describe.each(STORE_DIALECTS)('signing keys API (%s)', (dialect) => {
  const suite = useAppWithAdmin(dialect);
  const call = (path: string, key: string, init: RequestInit = {}) =>
    fetch(`${suite.app.baseUrl}${path}`, { ...init, headers: { 'x-api-key': key, ...init.headers } });
  const list = async (key = suite.admin) => {
    const response = await call('/api/v1/signing-keys', key);
    expect(response.status).toBe(200);
    return ((await response.json()) as { signing_keys: SigningKeyView[] }).signing_keys;
  };
  const jwksKids = async () => {
    const response = await fetch(`${suite.app.baseUrl}/.well-known/jwks.json`);
    return ((await response.json()) as { keys: Array<{ kid: string }> }).keys.map((k) => k.kid);
  };

  it('lists the signing keys with their state and times, never a private part', async () => {
    const keys = await list();
    expect(keys).toEqual([
      {
        kid: suite.app.ctx.keys.activeKey().kid,
        alg: 'ES256',
        state: 'active',
        created_at: expect.any(String),
        activated_at: expect.any(String),
        retire_after: null,
        retired_at: null,
      },
    ]);
  });

  it('rotates: the new kid is published in the JWKS at once, the old one keeps verifying, and the change is audited', async () => {
    const before = (await list())[0] as SigningKeyView;
    const response = await call('/api/v1/signing-keys/rotate', suite.admin, { method: 'POST' });
    expect(response.status).toBe(201);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const rotated = (await response.json()) as { kid: string; previous_kid: string; activates_at: string };
    expect(rotated).toEqual({ kid: expect.any(String), previous_kid: before.kid, activates_at: expect.any(String) });
    expect(rotated.kid).not.toBe(before.kid);
    expect(await jwksKids()).toEqual(expect.arrayContaining([rotated.kid, before.kid]));
    const keys = await list();
    expect(keys.map((k) => k.kid).sort()).toEqual([rotated.kid, before.kid].sort());

    const audit = await call('/api/v1/audit?kind=signing_key.rotated', suite.admin);
    const { events } = (await audit.json()) as { events: Array<Record<string, unknown>> };
    expect(events).toEqual([
      expect.objectContaining({
        kind: 'signing_key.rotated',
        outcome: 'success',
        actor_kind: 'api_key',
        credential_id: rotated.kid,
        target: rotated.kid,
        details: expect.objectContaining({ previous_kid: before.kid }),
      }),
    ]);
  });

  it('publishes the next key ahead of signing, or with {"immediate": true} signs with it at once', async () => {
    const scheduled = (await (await call('/api/v1/signing-keys/rotate', suite.admin, { method: 'POST' })).json()) as {
      kid: string;
    };
    expect((await list()).find((k) => k.kid === scheduled.kid)?.state).toBe('pending');
    const response = await call('/api/v1/signing-keys/rotate', suite.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ immediate: true }),
    });
    expect(response.status).toBe(201);
    const now = (await response.json()) as { kid: string; activates_at: string };
    expect(suite.app.ctx.keys.activeKey().kid).toBe(now.kid);
    expect((await list()).find((k) => k.kid === now.kid)?.state).toBe('active');
    const refused = await call('/api/v1/signing-keys/rotate', suite.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ immediate: 'yes' }),
    });
    expect(refused.status).toBe(400);
  });

  it('refuses a caller without keys:rotate, and names the permission', async () => {
    const created = await call('/api/v1/api-keys', suite.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'key manager', scopes: ['api_keys:manage'] }),
    });
    const { api_key } = (await created.json()) as { api_key: string };
    for (const [path, method] of [
      ['/api/v1/signing-keys', 'GET'],
      ['/api/v1/signing-keys/rotate', 'POST'],
    ] as const) {
      const refused = await call(path, api_key, { method });
      expect(refused.status).toBe(403);
      expect(await refused.json()).toEqual({
        error: { code: 'forbidden', message: expect.stringContaining('keys:rotate') },
      });
    }
  });

  it('refuses an org admin token: signing keys belong to the deployment, not to an org', async () => {
    const issued = await call('/api/v1/orgs/default/admin-tokens', suite.admin, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'org admin' }),
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const refused = await fetch(`${suite.app.baseUrl}/api/v1/signing-keys/rotate`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(refused.status).toBe(403);
  });

  it('is in /openapi.json', async () => {
    const document = (await (await fetch(`${suite.app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(document.paths['/api/v1/signing-keys'] ?? {})).toEqual(['get']);
    expect(Object.keys(document.paths['/api/v1/signing-keys/rotate'] ?? {})).toEqual(['post']);
  });
});
