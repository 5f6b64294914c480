import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { seedOrg } from '../../support/orgs.js';
import { bootstrapAdminKey, call, createKey } from '../auth/helpers.js';

describe.each(STORE_DIALECTS)('API keys stay within their org and team on %s', (dialect) => {
  let app: TestApp;
  let admin: string;
  let defaultKeyId: string;
  const now = '2030-01-01T00:00:00.000Z';

  const managerToken = async (orgId: string, teamId: string | null) =>
    (
      await app.ctx.tokens.issue({
        subject: `manager-${orgId}-${teamId ?? 'org'}`,
        scopes: ['api_keys:manage', 'graph:read'],
        authKind: teamId ? 'team_token' : 'admin_token',
        orgId,
        teamId,
      })
    ).token;

  beforeAll(async () => {
    app = await startTestApp({ dialect });
    admin = await bootstrapAdminKey(app);
    await seedOrg(app.store, { id: 'acme', name: 'Acme' }, now);
    await app.store.db
      .insertInto('teams')
      .values([
        { id: 'team_blue', org_id: 'acme', slug: 'blue', name: 'Blue', created_at: now },
        { id: 'team_red', org_id: 'acme', slug: 'red', name: 'Red', created_at: now },
      ])
      .execute();
    defaultKeyId = (await createKey(app, admin, { name: 'default-org key', scopes: ['graph:read'] })).id;
  });
  afterAll(() => app?.close());

  it("never lists, revokes or rotates another org's keys", async () => {
    const acme = await managerToken('acme', null);
    const created = await call(app, '/api/v1/api-keys', {
      bearer: acme,
      body: { name: 'acme key', scopes: ['graph:read'] },
    });
    expect(created.status).toBe(201);
    const list = (await (await call(app, '/api/v1/api-keys', { bearer: acme })).json()) as {
      api_keys: Array<{ id: string; name: string }>;
    };
    expect(list.api_keys.map((k) => k.name)).toEqual(['acme key']);

    for (const [method, path, body] of [
      ['DELETE', `/api/v1/api-keys/${defaultKeyId}`, undefined],
      ['POST', `/api/v1/api-keys/${defaultKeyId}/rotate`, { grace_period_seconds: 0 }],
    ] as const) {
      const res = await call(app, path, { bearer: acme, method, body });
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'No such API key' } });
    }
    const row = await app.store.db
      .selectFrom('api_keys')
      .select(['revoked_at', 'grace_until'])
      .where('id', '=', defaultKeyId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ revoked_at: null, grace_until: null });
  });

  it("binds keys made by a team credential to that team, and hides other teams' keys from it", async () => {
    const blue = await managerToken('acme', 'team_blue');
    const red = await managerToken('acme', 'team_red');
    const blueKey = (await (
      await call(app, '/api/v1/api-keys', { bearer: blue, body: { name: 'blue key', scopes: ['graph:read'] } })
    ).json()) as { id: string; api_key: string };
    const me = (await (await call(app, '/auth/me', { apiKey: blueKey.api_key })).json()) as Record<string, unknown>;
    expect(me).toMatchObject({ org_id: 'acme', team_id: 'team_blue' });

    const redList = (await (await call(app, '/api/v1/api-keys', { bearer: red })).json()) as {
      api_keys: Array<{ name: string }>;
    };
    expect(redList.api_keys.map((k) => k.name)).not.toContain('blue key');
    const foreign = await call(app, `/api/v1/api-keys/${blueKey.id}`, { bearer: red, method: 'DELETE' });
    expect(foreign.status).toBe(404);
    expect(await foreign.json()).toEqual({ error: { code: 'not_found', message: 'No such API key' } });
    expect((await call(app, `/api/v1/api-keys/${blueKey.id}`, { bearer: blue, method: 'DELETE' })).status).toBe(204);
  });
});
