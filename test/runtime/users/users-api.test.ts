import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { expandRole } from '../../../catalog/index.js';
import { newId } from '../../../runtime/src/ids.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';

const errorBody = (code: string, message: string) => ({ error: { code, message } });

describe.each(STORE_DIALECTS)('users API (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect });
    const now = new Date(app.clock.now()).toISOString();
    await app.store.db
      .insertInto('orgs')
      .values({ id: 'other', name: 'Other', created_at: now, updated_at: now })
      .execute();
  });
  afterAll(() => app?.close());
  beforeEach(async () => {
    await app.store.db.deleteFrom('users').execute();
  });

  let sequence = 0;
  async function addUser(input: { email: string; name?: string; role: string; org?: string; disabled?: boolean }) {
    sequence += 1;
    const at = new Date(app.clock.now() + sequence).toISOString();
    const row = {
      id: newId('usr'),
      issuer: 'https://idp.example',
      subject: `sub-${sequence}`,
      email: input.email,
      name: input.name ?? null,
      role: input.role,
      org_id: input.org ?? 'default',
      team_id: null,
      created_at: at,
      updated_at: at,
      last_sign_in_at: null,
      disabled_at: input.disabled ? at : null,
    };
    await app.store.db.insertInto('users').values(row).execute();
    return row;
  }

  /** A session access token for the user, as sign-in issues it. */
  async function bearer(user: { id: string; role: string; org_id: string }): Promise<Record<string, string>> {
    const issued = await app.ctx.tokens.issue({
      subject: user.id,
      role: user.role,
      scopes: expandRole(app.config.catalog, user.role),
      authKind: 'session',
      orgId: user.org_id,
    });
    return { authorization: `Bearer ${issued.token}`, 'content-type': 'application/json' };
  }

  const setRole = async (caller: Record<string, string>, id: string, role: unknown) =>
    fetch(`${app.baseUrl}/api/v1/users/${id}`, { method: 'PATCH', headers: caller, body: JSON.stringify({ role }) });

  it('lists the users of the caller org, searches e-mail and name case-insensitively, and honours limit', async () => {
    const admin = await addUser({ email: 'root@example.test', name: 'Root', role: 'admin' });
    await addUser({ email: 'alice@example.test', name: 'Alice Liddell', role: 'analyst' });
    await addUser({ email: 'bob@example.test', name: 'Bob ALIson', role: 'viewer' });
    await addUser({ email: 'alien@other.test', name: 'Not Ours', role: 'analyst', org: 'other' });
    const headers = await bearer(admin);

    const all = await fetch(`${app.baseUrl}/api/v1/users`, { headers });
    expect(all.status).toBe(200);
    const body = (await all.json()) as { users: Array<Record<string, unknown>> };
    expect(body.users.map((u) => u.email)).toEqual(['root@example.test', 'alice@example.test', 'bob@example.test']);
    expect(body.users[1]).toEqual({
      id: expect.stringMatching(/^usr_/),
      email: 'alice@example.test',
      name: 'Alice Liddell',
      role: 'analyst',
      org_id: 'default',
      team_id: null,
      created_at: expect.any(String),
      last_sign_in_at: null,
      disabled: false,
    });

    const search = async (query: string) =>
      (
        (await (await fetch(`${app.baseUrl}/api/v1/users?${query}`, { headers })).json()) as {
          users: Array<{ email: string }>;
        }
      ).users.map((u) => u.email);
    expect(await search('search=ALI')).toEqual(['alice@example.test', 'bob@example.test']);
    expect(await search('search=bob%40')).toEqual(['bob@example.test']);
    // LIKE wildcards in the search text match literally.
    expect(await search('search=%25')).toEqual([]);
    expect(await search('search=_')).toEqual([]);
    expect(await search('limit=1')).toEqual(['root@example.test']);

    const bad = await fetch(`${app.baseUrl}/api/v1/users?limit=0`, { headers });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { code: string; message: string } }).error).toMatchObject({
      code: 'invalid_request',
      message: expect.stringMatching(/^query\.limit: /),
    });
  });

  it('requires users:manage', async () => {
    const analyst = await addUser({ email: 'a@example.test', role: 'analyst' });
    const listed = await fetch(`${app.baseUrl}/api/v1/users`, { headers: await bearer(analyst) });
    expect(listed.status).toBe(403);
    expect(await listed.json()).toEqual(errorBody('forbidden', 'The credential lacks the permission "users:manage"'));
    const patched = await setRole(await bearer(analyst), analyst.id, 'admin');
    expect(patched.status).toBe(403);
    const anonymous = await fetch(`${app.baseUrl}/api/v1/users`);
    expect(anonymous.status).toBe(401);
  });

  it('changes a role and audits who changed what', async () => {
    const admin = await addUser({ email: 'root@example.test', role: 'admin' });
    const user = await addUser({ email: 'u@example.test', role: 'analyst' });
    // The test client is a trusted loopback hop: the audited address is the one it forwards.
    const from = { 'X-Forwarded-For': '203.0.113.9', 'User-Agent': 'role-sync/1.0' };
    const response = await setRole({ ...(await bearer(admin)), ...from }, user.id, 'viewer');
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ user: { id: user.id, role: 'viewer' } });
    const stored = await app.store.db.selectFrom('users').select('role').where('id', '=', user.id).executeTakeFirst();
    expect(stored?.role).toBe('viewer');

    const audit = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'user.role_changed')
      .where('target', '=', user.id)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({
      outcome: 'success',
      actor_kind: 'session',
      actor_subject: admin.id,
      org_id: 'default',
      ip: '203.0.113.9',
      user_agent: 'role-sync/1.0',
    });
    expect(JSON.parse(audit[0]?.details as string)).toEqual({ from: 'analyst', to: 'viewer' });

    // Same role again: nothing to change, nothing audited.
    expect((await setRole(await bearer(admin), user.id, 'viewer')).status).toBe(200);
    const after = await app.store.db.selectFrom('audit_events').select('id').where('target', '=', user.id).execute();
    expect(after).toHaveLength(1);
  });

  it('refuses to give a role holding permissions the caller lacks (a users:manage-only credential cannot make admins)', async () => {
    await addUser({ email: 'root@example.test', role: 'admin' });
    const user = await addUser({ email: 'u@example.test', role: 'analyst' });
    // A least-privilege integration credential: users:manage and nothing else.
    const issued = await app.ctx.tokens.issue({
      subject: 'cli_user_sync',
      role: null,
      scopes: ['users:manage'],
      authKind: 'client_credentials',
      orgId: 'default',
    });
    const caller = { authorization: `Bearer ${issued.token}`, 'content-type': 'application/json' };
    const promoted = await setRole(caller, user.id, 'admin');
    expect(promoted.status).toBe(403);
    expect(await promoted.json()).toEqual(
      errorBody('forbidden', 'You cannot grant "investigations:read": you do not hold it yourself'),
    );
    const stored = await app.store.db.selectFrom('users').select('role').where('id', '=', user.id).executeTakeFirst();
    expect(stored?.role).toBe('analyst');
    const audited = await app.store.db
      .selectFrom('audit_events')
      .select('id')
      .where('kind', '=', 'user.role_changed')
      .where('target', '=', user.id)
      .execute();
    expect(audited).toHaveLength(0);
  });

  it('refuses an unknown role and users of another org', async () => {
    const admin = await addUser({ email: 'root@example.test', role: 'admin' });
    const user = await addUser({ email: 'u@example.test', role: 'analyst' });
    const unknown = await setRole(await bearer(admin), user.id, 'superuser');
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toEqual(
      errorBody(
        'invalid_request',
        'body.role: unknown role "superuser"; allowed: admin, analyst, viewer, operator, api_service',
      ),
    );
    const stranger = await addUser({ email: 's@other.test', role: 'analyst', org: 'other' });
    const foreign = await setRole(await bearer(admin), stranger.id, 'viewer');
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual(
      errorBody('not_found', `No user with id "${stranger.id}" in this organization`),
    );
  });

  it('never demotes the last admin of an org', async () => {
    const admin = await addUser({ email: 'root@example.test', role: 'admin' });
    await addUser({ email: 'gone@example.test', role: 'admin', disabled: true });
    const last = errorBody(
      'conflict',
      'Cannot change the role of the last admin of organization "default"; make another user admin first',
    );
    const self = await setRole(await bearer(admin), admin.id, 'analyst');
    expect(self.status).toBe(409);
    expect(await self.json()).toEqual(last);

    const second = await addUser({ email: 'second@example.test', role: 'admin' });
    expect((await setRole(await bearer(admin), second.id, 'analyst')).status).toBe(200);
    const stillLast = await setRole(await bearer(admin), admin.id, 'viewer');
    expect(stillLast.status).toBe(409);
    expect(await stillLast.json()).toEqual(last);
    const roles = await app.store.db.selectFrom('users').select('role').where('id', '=', admin.id).executeTakeFirst();
    expect(roles?.role).toBe('admin');
  });

  it('lets only one of two admins demoting each other at once succeed', async () => {
    const a = await addUser({ email: 'a@example.test', role: 'admin' });
    const b = await addUser({ email: 'b@example.test', role: 'admin' });
    const results = await Promise.all([
      setRole(await bearer(a), b.id, 'analyst'),
      setRole(await bearer(b), a.id, 'analyst'),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 409]);
    const admins = await app.store.db.selectFrom('users').select('id').where('role', '=', 'admin').execute();
    expect(admins).toHaveLength(1);
  });
});
