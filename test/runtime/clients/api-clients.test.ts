import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../../runtime/src/crypto/secret-hash.js';
import type { TestApp } from '../../support/app.js';
import { useAppWithAdmin, useTwoReplicasWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey, eventually } from '../auth/helpers.js';
import { basic, type CreatedClient, createClient, postForm } from '../oauth/helpers.js';

const tokenStatus = async (app: Pick<TestApp, 'baseUrl'>, clientId: string, secret: string) =>
  (
    await postForm(
      app,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(clientId, secret) },
    )
  ).status;

describe.each(STORE_DIALECTS)('API clients on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('creates a client: 201 with the secret once; the store keeps only its keyed hash', async () => {
    const res = await call(suite.app, '/api/v1/clients', {
      apiKey: suite.admin,
      body: { name: 'SOAR', scopes: ['search:read', 'investigations:read'] },
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as CreatedClient & Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(
      ['client_id', 'client_secret', 'created_at', 'name', 'org_id', 'scopes', 'secret_id', 'token_endpoint'].sort(),
    );
    expect(body).toMatchObject({
      name: 'SOAR',
      scopes: ['investigations:read', 'search:read'],
      org_id: 'default',
      token_endpoint: `${suite.app.config.publicUrl}/oauth2/token`,
    });
    expect(body.client_id).toMatch(/^cli_[0-9a-z]{20}$/);
    expect(body.client_secret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const secrets = await suite.app.store.db.selectFrom('api_client_secrets').selectAll().execute();
    const row = secrets.find((s) => s.id === body.secret_id);
    expect(row?.secret_hash).toBe(hashSecret(suite.app.config.apiKeyPepper, body.client_secret));
    expect(JSON.stringify(secrets)).not.toContain(body.client_secret);
    expect(await tokenStatus(suite.app, body.client_id, body.client_secret)).toBe(200);
  });

  it('lists clients with secret metadata and never a secret', async () => {
    const created = await createClient(suite.app, suite.admin, ['graph:read'], 'lister');
    const res = await call(suite.app, '/api/v1/clients', { apiKey: suite.admin });
    expect(res.status).toBe(200);
    const { clients } = (await res.json()) as { clients: Array<Record<string, unknown>> };
    const listed = clients.find((c) => c.client_id === created.client_id);
    expect(listed).toEqual({
      client_id: created.client_id,
      name: 'lister',
      scopes: ['graph:read'],
      org_id: 'default',
      team_id: null,
      created_by: expect.stringMatching(/^api_key:[0-9A-Za-z]{16}$/),
      created_at: expect.any(String),
      secrets: [{ secret_id: created.secret_id, created_at: expect.any(String), last_used_at: null }],
    });
    expect(JSON.stringify(clients)).not.toContain(created.client_secret);
  });

  it('validates the body: unknown scope and missing fields name the field', async () => {
    const unknown = await call(suite.app, '/api/v1/clients', {
      apiKey: suite.admin,
      body: { name: 'x', scopes: ['graph:delete'] },
    });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: `body.scopes: unknown scope "graph:delete"; allowed: ${suite.app.config.catalog.permissionValues.join(', ')}`,
      },
    });
    const missing = await call(suite.app, '/api/v1/clients', { apiKey: suite.admin, body: { scopes: ['graph:read'] } });
    expect(missing.status).toBe(400);
    expect(((await missing.json()) as { error: { message: string } }).error.message).toMatch(/^body\.name: /);
  });

  it('needs clients:manage (403) and never grants a scope the caller lacks', async () => {
    const reader = await createKey(suite.app, suite.admin, { name: 'reader', scopes: ['search:read'] });
    const denied = await call(suite.app, '/api/v1/clients', {
      apiKey: reader.api_key,
      body: { name: 'x', scopes: ['search:read'] },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the permission "clients:manage"' },
    });
    const manager = await createKey(suite.app, suite.admin, { name: 'mgr', scopes: ['clients:manage', 'search:read'] });
    const escalation = await call(suite.app, '/api/v1/clients', {
      apiKey: manager.api_key,
      body: { name: 'x', scopes: ['search:read', 'graph:read'] },
    });
    expect(escalation.status).toBe(403);
    expect(await escalation.json()).toEqual({
      error: { code: 'forbidden', message: 'You cannot grant "graph:read": you do not hold it yourself' },
    });
  });

  it('rotates with overlap: a second secret works alongside the first, a third is refused, the old one dies at once', async () => {
    const client = await createClient(suite.app, suite.admin, ['search:read']);
    // Warm the cache with the first secret so the checks below prove invalidation, not a cold read.
    expect(await tokenStatus(suite.app, client.client_id, client.client_secret)).toBe(200);
    const added = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets`, {
      apiKey: suite.admin,
      method: 'POST',
    });
    expect(added.status).toBe(201);
    const second = (await added.json()) as { secret_id: string; client_secret: string; client_id: string };
    expect(second.client_id).toBe(client.client_id);
    expect(await tokenStatus(suite.app, client.client_id, client.client_secret)).toBe(200);
    expect(await tokenStatus(suite.app, client.client_id, second.client_secret)).toBe(200);

    const third = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets`, {
      apiKey: suite.admin,
      method: 'POST',
    });
    expect(third.status).toBe(409);
    expect(await third.json()).toEqual({
      error: {
        code: 'conflict',
        message: `API client ${client.client_id} already has 2 active secrets; delete the old one first (DELETE /api/v1/clients/${client.client_id}/secrets/{secret_id})`,
      },
    });

    const removed = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets/${client.secret_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    expect(await tokenStatus(suite.app, client.client_id, client.client_secret)).toBe(401);
    expect(await tokenStatus(suite.app, client.client_id, second.client_secret)).toBe(200);
    const again = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets/${client.secret_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(again.status).toBe(404);
  });

  it('deleting a client stops it at once and removes it from the list', async () => {
    const client = await createClient(suite.app, suite.admin, ['search:read']);
    expect(await tokenStatus(suite.app, client.client_id, client.client_secret)).toBe(200);
    const res = await call(suite.app, `/api/v1/clients/${client.client_id}`, { apiKey: suite.admin, method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(await tokenStatus(suite.app, client.client_id, client.client_secret)).toBe(401);
    const list = (await (await call(suite.app, '/api/v1/clients', { apiKey: suite.admin })).json()) as {
      clients: Array<{ client_id: string }>;
    };
    expect(list.clients.map((c) => c.client_id)).not.toContain(client.client_id);
    const missing = await call(suite.app, `/api/v1/clients/${client.client_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      error: { code: 'not_found', message: `No API client ${client.client_id} in this organization` },
    });
  });

  it('never shows or changes a client of another org', async () => {
    const orgRes = await call(suite.app, '/api/v1/orgs', {
      apiKey: suite.admin,
      body: { id: 'clients-other', name: 'Other' },
    });
    expect(orgRes.status).toBe(201);
    const otherAdmin = ((await orgRes.json()) as { admin_token: { token: string } }).admin_token.token;
    // Org suite.admin tokens manage tokens and teams, not API clients.
    const notManager = await call(suite.app, '/api/v1/clients', { bearer: otherAdmin });
    expect(notManager.status).toBe(403);
    const theirs = await createClient(suite.app, suite.admin, ['search:read']);
    await suite.app.store.db
      .updateTable('api_clients')
      .set({ org_id: 'clients-other' })
      .where('client_id', '=', theirs.client_id)
      .execute();
    const list = (await (await call(suite.app, '/api/v1/clients', { apiKey: suite.admin })).json()) as {
      clients: Array<{ client_id: string }>;
    };
    expect(list.clients.map((c) => c.client_id)).not.toContain(theirs.client_id);
    const del = await call(suite.app, `/api/v1/clients/${theirs.client_id}`, { apiKey: suite.admin, method: 'DELETE' });
    expect(del.status).toBe(404);
    const add = await call(suite.app, `/api/v1/clients/${theirs.client_id}/secrets`, {
      apiKey: suite.admin,
      method: 'POST',
    });
    expect(add.status).toBe(404);
    const revoke = await call(suite.app, `/api/v1/clients/${theirs.client_id}/secrets/${theirs.secret_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(revoke.status).toBe(404);
  });

  it('audits creation, secret changes and deletion with the actor and never the secret', async () => {
    const client = await createClient(suite.app, suite.admin, ['search:read'], 'audited');
    const added = (await (
      await call(suite.app, `/api/v1/clients/${client.client_id}/secrets`, { apiKey: suite.admin, method: 'POST' })
    ).json()) as { secret_id: string; client_secret: string };
    await call(suite.app, `/api/v1/clients/${client.client_id}/secrets/${client.secret_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    await call(suite.app, `/api/v1/clients/${client.client_id}`, { apiKey: suite.admin, method: 'DELETE' });
    const rows = await suite.app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('credential_id', '=', client.client_id)
      .orderBy('at')
      .orderBy('id')
      .execute();
    expect(rows.map((r) => r.kind).sort()).toEqual(
      ['client.created', 'client.deleted', 'client.secret_added', 'client.secret_revoked'].sort(),
    );
    for (const row of rows) {
      expect(row).toMatchObject({
        outcome: 'success',
        actor_kind: 'api_key',
        org_id: 'default',
        user_agent: 'gatehouse-tests/1.0',
      });
      expect(row.ip).toMatch(/^198\./);
    }
    expect(JSON.parse(rows.find((r) => r.kind === 'client.secret_added')?.details ?? '{}')).toEqual({
      secret_id: added.secret_id,
    });
    const text = JSON.stringify(rows);
    expect(text).not.toContain(client.client_secret);
    expect(text).not.toContain(added.client_secret);
  });
});

describe('API client changes reach every replica (two apps on one PostgreSQL)', () => {
  const replicas = useTwoReplicasWithAdmin();

  it('refuses a deleted secret and a deleted client on the other replica while their cache entries are still fresh', async () => {
    const client = await createClient(replicas.first, replicas.admin, ['search:read']);
    const added = (await (
      await call(replicas.first, `/api/v1/clients/${client.client_id}/secrets`, {
        apiKey: replicas.admin,
        method: 'POST',
      })
    ).json()) as { client_secret: string };
    // Both replicas have the client cached with both secrets.
    expect(await tokenStatus(replicas.second, client.client_id, client.client_secret)).toBe(200);
    expect(await tokenStatus(replicas.second, client.client_id, added.client_secret)).toBe(200);

    await call(replicas.first, `/api/v1/clients/${client.client_id}/secrets/${client.secret_id}`, {
      apiKey: replicas.admin,
      method: 'DELETE',
    });
    await eventually(async () => (await tokenStatus(replicas.second, client.client_id, client.client_secret)) === 401);
    expect(await tokenStatus(replicas.second, client.client_id, added.client_secret)).toBe(200);

    await call(replicas.first, `/api/v1/clients/${client.client_id}`, { apiKey: replicas.admin, method: 'DELETE' });
    await eventually(async () => (await tokenStatus(replicas.second, client.client_id, added.client_secret)) === 401);
  });
});
