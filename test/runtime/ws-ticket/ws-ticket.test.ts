import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../../runtime/src/crypto/secret-hash.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call, createKey, eventually, identityOf } from '../auth/helpers.js';
import { errorBody, ORIGIN, TestBrowser, useSigninSuite } from '../signin/support/signin-harness.js';
import { issueTicket, REFUSED, redeem, TICKET_SHAPE } from './helpers.js';

describe.each(STORE_DIALECTS)('WebSocket tickets (%s)', (dialect) => {
  // The sign-in suite (runtime + in-process IdP) so that a real browser session can ask for a ticket too.
  const suite = useSigninSuite(dialect);
  let adminKey: string | undefined;
  const admin = async () => {
    adminKey ??= await bootstrapAdminKey(suite.app);
    return adminKey;
  };

  it('issues an opaque one-time ticket to an API key and redeems it once for the key holder', async () => {
    const key = await admin();
    const res = await call(suite.app, '/auth/ws-ticket', { method: 'POST', apiKey: key });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { ticket: string; expires_in: number };
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'ticket']);
    expect(body.expires_in).toBe(30);
    expect(body.ticket).toMatch(TICKET_SHAPE);

    const direct = await call(suite.app, '/auth/verify', { apiKey: key });
    const first = await redeem(suite.app, body.ticket);
    expect(first.status).toBe(200);
    expect(first.headers.get('cache-control')).toBe('no-store');
    expect(identityOf(first)).toEqual(identityOf(direct));
    expect(identityOf(first)).toMatchObject({ role: 'admin', kind: 'api_key', org: 'default', team: '' });
    expect(identityOf(first).subject).toMatch(/^api_key:/);

    const second = await redeem(suite.app, body.ticket);
    expect(second.status).toBe(401);
    expect(second.headers.get('x-auth-error')).toBe('unauthorized');
    expect(await second.json()).toEqual(REFUSED);
  });

  it('issues to a signed-in browser (cookie + allowed Origin) and reports the session through X-WS-Ticket', async () => {
    const browser = new TestBrowser(suite.app);
    expect((await browser.signIn('analyst@example.test')).status).toBe(302);
    const res = await browser.request('/auth/ws-ticket', { method: 'POST', origin: ORIGIN });
    expect(res.status).toBe(200);
    const { ticket } = (await res.json()) as { ticket: string };

    const direct = await browser.request('/auth/verify');
    expect(direct.status).toBe(200);
    // The gateway copies the ticket into a header; the upgrade request's cookie does not decide, the ticket does.
    const redeemed = await call(suite.app, '/auth/verify?scope=investigations:read', {
      headers: { 'X-WS-Ticket': ticket },
    });
    expect(redeemed.status).toBe(200);
    expect(identityOf(redeemed)).toEqual(identityOf(direct));
    expect(identityOf(redeemed)).toMatchObject({ kind: 'session', role: 'analyst' });
  });

  it('refuses a cookie-authenticated ticket request without an allowed Origin, like every unsafe cookie request', async () => {
    const browser = new TestBrowser(suite.app);
    expect((await browser.signIn('analyst@example.test')).status).toBe(302);
    const ticketCount = async () => (await suite.app.store.db.selectFrom('ws_tickets').select('id').execute()).length;
    const before = await ticketCount();
    const noOrigin = await browser.request('/auth/ws-ticket', { method: 'POST' });
    expect(noOrigin.status).toBe(403);
    expect(await noOrigin.json()).toEqual(
      errorBody(
        'forbidden',
        'Cookie-authenticated requests that change state must send an Origin header from one of ALLOWED_ORIGINS',
      ),
    );
    const crossSite = await browser.request('/auth/ws-ticket', { method: 'POST', origin: 'https://evil.example' });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toEqual(
      errorBody('forbidden', 'The request Origin is not one of ALLOWED_ORIGINS; cross-site requests are refused'),
    );
    expect(await ticketCount()).toBe(before);
  });

  it('issues to a Bearer access token and keeps its kind, role, scopes and team (Traefik X-Forwarded-Uri)', async () => {
    const { token } = await suite.app.ctx.tokens.issue({
      subject: 'alice@example.com',
      role: 'operator',
      scopes: ['team:read', 'team:write'],
      authKind: 'team_token',
      orgId: 'default',
      teamId: 'team-platform',
    });
    const ticket = await issueTicket(suite.app, { bearer: token });
    const res = await call(suite.app, '/auth/verify', {
      headers: { 'X-Forwarded-Uri': `/ws/alerts?x=1&ws_ticket=${ticket}` },
    });
    expect(res.status).toBe(200);
    expect(identityOf(res)).toEqual({
      subject: 'alice@example.com',
      role: 'operator',
      scopes: 'team:read team:write',
      kind: 'team_token',
      org: 'default',
      team: 'team-platform',
    });
  });

  it('answers 401 to an unauthenticated ticket request', async () => {
    const res = await call(suite.app, '/auth/ws-ticket', { method: 'POST' });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(errorBody('unauthorized', 'Authentication required'));
  });

  it('refuses an expired ticket with the same answer as an unknown one', async () => {
    const key = await admin();
    const early = await issueTicket(suite.app, { apiKey: key });
    const late = await issueTicket(suite.app, { apiKey: key });
    suite.app.clock.advance(29);
    expect((await redeem(suite.app, early)).status).toBe(200);
    suite.app.clock.advance(2);
    const expired = await redeem(suite.app, late);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual(REFUSED);

    const unknown = await redeem(suite.app, `wst_${randomBytes(32).toString('base64url')}`);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(REFUSED);
    const malformed = await redeem(suite.app, 'wst_short');
    expect(malformed.status).toBe(401);
    expect(await malformed.json()).toEqual(errorBody('unauthorized', 'Invalid credential'));
  });

  it('is no API credential: refused as Bearer and X-API-Key, ignored in the query of other routes, not consumed', async () => {
    const ticket = await issueTicket(suite.app, { apiKey: await admin() });
    const asBearer = await call(suite.app, '/auth/me', { bearer: ticket });
    expect(asBearer.status).toBe(401);
    expect(await asBearer.json()).toEqual(errorBody('unauthorized', 'Invalid credential'));
    const asApiKey = await call(suite.app, '/api/v1/api-keys', { apiKey: ticket });
    expect(asApiKey.status).toBe(401);
    const inQuery = await call(suite.app, `/auth/me?ws_ticket=${ticket}`, { headers: { 'X-WS-Ticket': ticket } });
    expect(inQuery.status).toBe(401);
    expect(await inQuery.json()).toEqual(errorBody('unauthorized', 'Authentication required'));
    const asBearerAtVerify = await call(suite.app, '/auth/verify', { bearer: ticket });
    expect(asBearerAtVerify.status).toBe(401);
    expect((await redeem(suite.app, ticket)).status).toBe(200);
  });

  it('applies required scopes to the ticket holder and answers the Envoy form from the original query', async () => {
    const key = await createKey(suite.app, await admin(), { name: 'ws-reader', scopes: ['incidents:read'] });
    const narrow = await issueTicket(suite.app, { apiKey: key.api_key });
    const refused = await redeem(suite.app, narrow, '&scope=graph:read');
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual(errorBody('forbidden', 'The credential lacks the scope "graph:read"'));

    const ticket = await issueTicket(suite.app, { apiKey: key.api_key });
    const envoy = await call(suite.app, `/auth/verify/ws/alerts?ws_ticket=${ticket}`, {
      headers: { 'X-Auth-Require-Scopes': 'incidents:read' },
    });
    expect(envoy.status).toBe(200);
    expect(identityOf(envoy)).toMatchObject({ subject: `api_key:${key.key_id}`, kind: 'api_key' });
  });

  it('lets the ticket decide over a credential beside it at /auth/verify', async () => {
    const key = await createKey(suite.app, await admin(), { name: 'ws-beside', scopes: ['search:read'] });
    const ticket = await issueTicket(suite.app, { apiKey: await admin() });
    const withKey = await redeem(suite.app, ticket, '', { apiKey: key.api_key });
    expect(withKey.status).toBe(200);
    expect(identityOf(withKey).role).toBe('admin');
    const usedWithKey = await redeem(suite.app, ticket, '', { apiKey: key.api_key });
    expect(usedWithKey.status).toBe(401);
    expect(await usedWithKey.json()).toEqual(REFUSED);
  });

  it('lets exactly one of several simultaneous redemptions win', async () => {
    const ticket = await issueTicket(suite.app, { apiKey: await admin() });
    const answers = await Promise.all(Array.from({ length: 6 }, () => redeem(suite.app, ticket)));
    expect(answers.map((res) => res.status).sort()).toEqual([200, 401, 401, 401, 401, 401]);
  });

  it('stores only the keyed hash and a snapshot of the principal, and never logs the ticket', async () => {
    const key = await createKey(suite.app, await admin(), { name: 'ws-snapshot', scopes: ['search:read'] });
    const ticket = await issueTicket(suite.app, { apiKey: key.api_key });
    const row = await suite.app.store.db
      .selectFrom('ws_tickets')
      .selectAll()
      .where('ticket_hash', '=', hashSecret(suite.app.config.apiKeyPepper, ticket))
      .executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(ticket.slice(4));
    expect(row.subject).toBe(`api_key:${key.key_id}`);
    expect(Date.parse(row.expires_at) - Date.parse(row.created_at)).toBe(30_000);
    expect(JSON.parse(row.principal)).toEqual({
      kind: 'api_key',
      subject: `api_key:${key.key_id}`,
      role: null,
      permissions: ['search:read'],
      scopes: ['search:read'],
      org_id: 'default',
      team_id: null,
      credential_id: key.key_id,
      request_budget_per_minute: null,
    });

    expect((await redeem(suite.app, ticket)).status).toBe(200);
    const replayed = await redeem(suite.app, ticket);
    expect(replayed.status).toBe(401);
    expect(await replayed.json()).toEqual({
      error: { code: 'unauthorized', message: 'Invalid, used or expired WebSocket ticket' },
    });
    expect(
      (await call(suite.app, `/auth/verify/ws?ws_ticket=${ticket}`, { headers: { 'X-WS-Ticket': ticket } })).status,
    ).toBe(401);
    const logged = JSON.stringify(suite.app.logs);
    expect(logged).toContain('"route":"/auth/verify"');
    expect(logged).toContain('"route":"/auth/verify/{*original}"');
    expect(logged).not.toContain(ticket.slice(4));
  });

  it('audits a refused redemption once per minute and issuance once per caller per minute', async () => {
    const key = await createKey(suite.app, await admin(), { name: 'ws-audit', scopes: ['search:read'] });
    const ticket = await issueTicket(suite.app, { apiKey: key.api_key });
    await issueTicket(suite.app, { apiKey: key.api_key });
    expect((await redeem(suite.app, ticket)).status).toBe(200);
    const ip = '198.18.7.7';
    for (let i = 0; i < 3; i++) expect((await redeem(suite.app, ticket, '', { ip })).status).toBe(401);

    const rows = (kind: string) =>
      suite.app.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('kind', '=', kind)
        .where('actor_subject', '=', `api_key:${key.key_id}`)
        .execute();
    await eventually(async () => (await rows('ws_ticket.use_failed')).length > 0);
    await eventually(async () => (await rows('ws_ticket.issued')).length > 0);
    const failed = await rows('ws_ticket.use_failed');
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({
      outcome: 'failure',
      reason: 'used',
      actor_kind: 'api_key',
      ip,
      org_id: 'default',
    });
    expect(failed[0]?.credential_id).toMatch(/^wst_[0-9a-z]{20}$/);
    const issued = await rows('ws_ticket.issued');
    expect(issued).toHaveLength(1);
    expect(issued[0]).toMatchObject({ outcome: 'success', credential_id: key.key_id });
  });

  it('documents POST /auth/ws-ticket and the ws_ticket parameter of /auth/verify in /openapi.json', async () => {
    const doc = (await (await fetch(`${suite.app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<
        string,
        Record<string, { responses: Record<string, unknown>; parameters?: Array<{ name: string }> }>
      >;
      components: { schemas: Record<string, { properties?: Record<string, unknown> }> };
    };
    const issue = doc.paths['/auth/ws-ticket']?.post;
    expect(Object.keys(issue?.responses ?? {}).sort()).toEqual(['200', '401', '403', '429']);
    expect(Object.keys(doc.components.schemas.WsTicket?.properties ?? {}).sort()).toEqual(['expires_in', 'ticket']);
    expect(doc.paths['/auth/verify']?.get?.parameters?.map((p) => p.name)).toContain('ws_ticket');
  });

  it('limits tickets per caller to 60 a minute', async () => {
    const key = await createKey(suite.app, await admin(), { name: 'ws-limit', scopes: ['search:read'] });
    for (let i = 0; i < 60; i++) await issueTicket(suite.app, { apiKey: key.api_key });
    const limited = await call(suite.app, '/auth/ws-ticket', { method: 'POST', apiKey: key.api_key });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(((await limited.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
    // Another caller is not affected.
    await issueTicket(suite.app, { apiKey: await admin() });
  });

  // Last: it moves the shared clock five minutes on.
  it('deletes expired tickets in the background while issuing, at most every five minutes', async () => {
    const key = await admin();
    await issueTicket(suite.app, { apiKey: key });
    const expiredRows = async () =>
      (
        await suite.app.store.db
          .selectFrom('ws_tickets')
          .select('id')
          .where('expires_at', '<=', new Date(suite.app.clock.now()).toISOString())
          .execute()
      ).length;
    suite.app.clock.advance(301);
    expect(await expiredRows()).toBeGreaterThan(0);
    const fresh = await issueTicket(suite.app, { apiKey: key });
    await eventually(async () => (await expiredRows()) === 0);
    expect((await redeem(suite.app, fresh)).status).toBe(200);
  });
});
