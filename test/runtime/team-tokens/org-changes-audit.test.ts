import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';

describe.each(STORE_DIALECTS)('org and team changes in the audit trail (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect });
  });
  afterAll(() => app?.close());

  it('records creating and changing an org and a team, by the caller, with its address and user agent', async () => {
    const admin = await bootstrapAdminKey(app);
    const changes: Array<[string, string, Record<string, unknown>, number]> = [
      ['POST', '/api/v1/orgs', { id: 'acme', name: 'Acme' }, 201],
      ['PATCH', '/api/v1/orgs/acme', { team_token_ttl_seconds: 3600 }, 403],
      ['POST', '/api/v1/orgs/default/teams', { slug: 'ops', name: 'Ops' }, 201],
      ['PATCH', '/api/v1/orgs/default/teams/ops', { name: 'Operations' }, 200],
      ['PATCH', '/api/v1/orgs/default', { admin_token_ttl_seconds: 7200 }, 200],
    ];
    for (const [method, path, body, status] of changes) {
      const res = await call(app, path, { apiKey: admin, method, body, ip: '203.0.113.7' });
      expect(res.status, `${method} ${path}: ${await res.text()}`).toBe(status);
    }

    const rows = await app.store.db
      .selectFrom('audit_events')
      .select(['kind', 'outcome', 'actor_kind', 'actor_subject', 'org_id', 'target', 'ip', 'user_agent', 'details'])
      .where('kind', 'in', ['org.created', 'org.updated', 'team.created', 'team.updated'])
      .orderBy('kind')
      .execute();
    const team = await app.store.db
      .selectFrom('teams')
      .select('id')
      .where('slug', '=', 'ops')
      .executeTakeFirstOrThrow();
    const byAdmin = {
      outcome: 'success',
      actor_kind: 'api_key',
      actor_subject: expect.stringMatching(/^api_key:/),
      ip: '203.0.113.7',
      user_agent: 'gatehouse-tests/1.0',
    };
    // The refused PATCH of another org (the admin key is of the default org) leaves no row.
    expect(rows.map(({ details, ...row }) => ({ ...row, details: details && JSON.parse(details) }))).toEqual([
      { ...byAdmin, kind: 'org.created', org_id: 'acme', target: 'acme', details: null },
      {
        ...byAdmin,
        kind: 'org.updated',
        org_id: 'default',
        target: 'default',
        details: { admin_token_ttl_seconds: 7200 },
      },
      { ...byAdmin, kind: 'team.created', org_id: 'default', target: team.id, details: { slug: 'ops' } },
      { ...byAdmin, kind: 'team.updated', org_id: 'default', target: team.id, details: { name: 'Operations' } },
    ]);
  });
});
