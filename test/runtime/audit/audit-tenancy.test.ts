import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { seedOrg } from '../../support/orgs.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';

describe.each(STORE_DIALECTS)("audit export stays within the caller's org on %s", (dialect) => {
  let app: TestApp;
  let admin: string;
  const now = '2030-01-01T00:00:00.000Z';
  const auditorOf = async (orgId: string) =>
    (
      await app.ctx.tokens.issue({
        subject: `auditor-${orgId}`,
        scopes: ['audit:read', 'api_keys:manage', 'graph:read'],
        authKind: 'admin_token',
        orgId,
      })
    ).token;

  beforeAll(async () => {
    app = await startTestApp({ dialect });
    admin = await bootstrapAdminKey(app);
    await seedOrg(app.store, { id: 'acme', name: 'Acme' }, now);
    await app.ctx.audit.record({ kind: 'signing_key.rotated', outcome: 'success', credentialId: 'kid-1' });
    await call(app, '/api/v1/api-keys', {
      bearer: await auditorOf('acme'),
      body: { name: 'acme key', scopes: ['graph:read'] },
    });
  });
  afterAll(() => app?.close());

  it('shows an org only its own events; the default org also sees deployment-wide ones', async () => {
    const acme = (await (await call(app, '/api/v1/audit', { bearer: await auditorOf('acme') })).json()) as {
      events: Array<{ kind: string; org_id: string | null }>;
    };
    expect(acme.events.map((e) => e.kind)).toEqual(['api_key.created']);
    expect(acme.events.every((e) => e.org_id === 'acme')).toBe(true);

    const own = (await (await call(app, '/api/v1/audit', { apiKey: admin })).json()) as {
      events: Array<{ kind: string; org_id: string | null }>;
    };
    expect(own.events.map((e) => e.kind)).toEqual(expect.arrayContaining(['api_key.bootstrap', 'signing_key.rotated']));
    expect(own.events.some((e) => e.org_id === 'acme')).toBe(false);
  });

  it('refuses a team-bound caller holding audit:read (events carry no team, so the org-wide view would leak)', async () => {
    const teamBound = await app.ctx.tokens.issue({
      subject: 'team-auditor',
      scopes: ['audit:read'],
      authKind: 'team_token',
      orgId: 'acme',
      teamId: 'team_acme_red',
    });
    for (const format of ['json', 'csv']) {
      const res = await call(app, `/api/v1/audit?format=${format}`, { bearer: teamBound.token });
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 'forbidden', message: 'A team-bound credential cannot act on the whole organization' },
      });
    }
  });
});
