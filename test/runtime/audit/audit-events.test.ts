import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_CSV_COLUMNS } from '../../../runtime/src/audit/audit-csv.js';
import type { AuditEventsTable } from '../../../runtime/src/store/schema.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, type CreatedKey, call, createKey, eventually, forgeSecret } from '../auth/helpers.js';

/** An event as the JSON export renders it: the stored row with `details` parsed. */
type AuditEventBody = Omit<AuditEventsTable, 'details'> & { details: Record<string, unknown> | null };

describe.each(STORE_DIALECTS)('audit events on %s', (dialect) => {
  let app: TestApp;
  let admin: string;
  let adminSubject: string;
  let key: CreatedKey;
  let rotatedId: string;
  const ip = '198.18.7.7';
  const events = async (query = ''): Promise<AuditEventBody[]> => {
    const res = await call(app, `/api/v1/audit${query}`, { apiKey: admin });
    expect(res.status).toBe(200);
    return ((await res.json()) as { events: AuditEventBody[] }).events;
  };

  beforeAll(async () => {
    app = await startTestApp({ dialect });
    admin = await bootstrapAdminKey(app, 'auditor');
    adminSubject = `api_key:${admin.slice(8, 24)}`;
    key = await createKey(app, admin, { name: 'audited', scopes: ['graph:read'] });
    const rotated = await call(app, `/api/v1/api-keys/${key.id}/rotate`, {
      apiKey: admin,
      ip,
      body: { grace_period_seconds: 60 },
    });
    rotatedId = ((await rotated.json()) as { id: string }).id;
    await call(app, `/api/v1/api-keys/${rotatedId}`, { apiKey: admin, ip, method: 'DELETE' });
    await call(app, '/auth/me', { apiKey: forgeSecret(key.api_key), ip });
    await eventually(async () => (await events('?kind=api_key.use_failed')).length > 0);
  });
  afterAll(() => app?.close());

  it('records issue, rotation, revocation and use failure with actor, address and user agent', async () => {
    const all = await events();
    const rotation = all.find((e) => e.kind === 'api_key.rotated');
    expect(rotation).toMatchObject({
      outcome: 'success',
      actor_kind: 'api_key',
      actor_subject: adminSubject,
      org_id: 'default',
      target: key.id,
      reason: 'rotated',
      ip,
      user_agent: 'gatehouse-tests/1.0',
      details: { previous_key_id: key.key_id, grace_period_seconds: 60, new_id: rotatedId },
    });
    expect(all.find((e) => e.kind === 'api_key.revoked')).toMatchObject({ target: rotatedId, ip, reason: 'revoked' });
    expect(all.find((e) => e.kind === 'api_key.created' && e.target === key.id)).toMatchObject({
      credential_id: key.key_id,
      details: { name: 'audited', scopes: ['graph:read'], expires_at: null },
    });
    expect(all.find((e) => e.kind === 'api_key.use_failed')).toMatchObject({
      outcome: 'failure',
      actor_subject: null,
      org_id: null,
      credential_id: key.key_id,
      reason: 'bad_secret',
      ip,
      user_agent: 'gatehouse-tests/1.0',
    });
    expect(all.find((e) => e.kind === 'api_key.bootstrap')).toMatchObject({
      outcome: 'success',
      actor_kind: 'cli',
      actor_subject: 'bootstrap:auditor',
      org_id: 'default',
      details: { name: 'auditor', role: 'admin' },
    });
    const raw = JSON.stringify(await app.store.db.selectFrom('audit_events').selectAll().execute());
    expect(raw).not.toContain(key.api_key.slice(24, 48));
    expect(raw).not.toContain(admin.slice(24, 48));
  });

  it('writes no audit or per-request rows for successful uses', async () => {
    const before = (await app.store.db.selectFrom('audit_events').select('id').execute()).length;
    const fresh = await createKey(app, admin, { name: 'quiet', scopes: ['graph:read'] });
    for (let i = 0; i < 10; i++) expect((await call(app, '/auth/verify', { apiKey: fresh.api_key })).status).toBe(200);
    const after = (await app.store.db.selectFrom('audit_events').select('id').execute()).length;
    expect(after - before).toBe(1);
  });

  it('writes one use-failure row per key, reason and address per minute', async () => {
    const target = await createKey(app, admin, { name: 'hammered', scopes: ['graph:read'] });
    const forged = forgeSecret(target.api_key);
    const hammerIp = '198.18.9.9';
    for (let i = 0; i < 5; i++) await call(app, '/auth/verify', { apiKey: forged, ip: hammerIp });
    const failures = async () =>
      (await events('?kind=api_key.use_failed')).filter((e) => e.credential_id === target.key_id);
    await eventually(async () => (await failures()).length === 1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await failures()).toHaveLength(1);
  });

  it('filters by exact kind, kind prefix, since and limit', async () => {
    const revoked = await events('?kind=api_key.revoked');
    expect(revoked.map((e) => e.kind)).toEqual(['api_key.revoked']);
    const prefixed = await events('?kind=api_key.*');
    expect(prefixed.length).toBeGreaterThanOrEqual(4);
    expect(prefixed.every((e) => e.kind.startsWith('api_key.'))).toBe(true);
    expect(await events('?limit=2')).toHaveLength(2);
    const future = new Date(app.clock.now() + 60_000).toISOString();
    expect(await events(`?since=${encodeURIComponent(future)}`)).toEqual([]);
    const newestFirst = await events();
    expect([...newestFirst].sort((x, y) => y.at.localeCompare(x.at)).map((e) => e.at)).toEqual(
      newestFirst.map((e) => e.at),
    );
  });

  it('reads a kind prefix literally: api_key.* does not match a kind that only looks like it', async () => {
    // In a LIKE pattern `_` matches any character, so `api_key.%` would also take `apixkey.created`.
    await app.ctx.audit.record({ kind: 'apixkey.created', outcome: 'success', orgId: 'default' });
    await app.ctx.audit.record({ kind: 'api_key2.created', outcome: 'success', orgId: 'default' });
    const prefixed = await events('?kind=api_key.*');
    expect(prefixed.map((e) => e.kind).filter((kind) => !kind.startsWith('api_key.'))).toEqual([]);
    expect((await events('?kind=apixkey.*')).map((e) => e.kind)).toEqual(['apixkey.created']);
  });

  it('exports CSV with a header row and formula-safe cells', async () => {
    await call(app, '/auth/me', {
      apiKey: forgeSecret(admin),
      headers: { 'User-Agent': '=HYPERLINK("http://evil")' },
    });
    await eventually(async () =>
      (await events('?kind=api_key.use_failed')).some((e) => e.user_agent?.startsWith('=HYPERLINK')),
    );
    const res = await call(app, '/api/v1/audit?format=csv&kind=api_key.use_failed', { apiKey: admin });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const lines = (await res.text()).trimEnd().split('\r\n');
    expect(lines[0]).toBe(AUDIT_CSV_COLUMNS.join(','));
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.some((line) => line.includes(`"'=HYPERLINK(""http://evil"")"`))).toBe(true);
    expect(lines.some((line) => line.includes(`,api_key.use_failed,failure,`))).toBe(true);
  });

  it('requires audit:read and validates the query', async () => {
    const reader = await createKey(app, admin, { name: 'no-audit', scopes: ['graph:read'] });
    const denied = await call(app, '/api/v1/audit', { apiKey: reader.api_key });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the permission "audit:read"' },
    });
    const bad = await call(app, '/api/v1/audit?format=xml', { apiKey: admin });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      error: { code: 'invalid_request', message: 'query.format: Invalid option: expected one of "json"|"csv"' },
    });
  });

  it('names the key owner and org in a use-failure row only once the secret verified (revoked key)', async () => {
    const revoked = await createKey(app, admin, { name: 'revoked-then-used', scopes: ['graph:read'] });
    await call(app, `/api/v1/api-keys/${revoked.id}`, { apiKey: admin, method: 'DELETE' });
    expect((await call(app, '/auth/verify', { apiKey: revoked.api_key, ip })).status).toBe(401);
    await eventually(async () =>
      (await events('?kind=api_key.use_failed')).some((e) => e.credential_id === revoked.key_id),
    );
    const row = (await events('?kind=api_key.use_failed')).find((e) => e.credential_id === revoked.key_id);
    expect(row).toMatchObject({
      reason: 'revoked',
      actor_kind: 'api_key',
      actor_subject: `api_key:${revoked.key_id}`,
      org_id: 'default',
      ip,
    });
  });
});
