import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { hashSecret } from '../../../runtime/src/crypto/secret-hash.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { errorBody, ORIGIN, TestBrowser, useSigninSuite } from './support/signin-harness.js';

const REFUSED = errorBody('unauthorized', 'The refresh token is not valid; sign in again at /auth/login');
const CROSS_SITE = errorBody(
  'forbidden',
  'The request Origin is not one of ALLOWED_ORIGINS; cross-site requests are refused',
);

describe.each(STORE_DIALECTS)('refresh rotation, reuse detection and logout (%s)', (dialect) => {
  const suite = useSigninSuite(dialect);

  async function signedIn(email = 'analyst@example.test'): Promise<TestBrowser> {
    const browser = new TestBrowser(suite.app);
    expect((await browser.signIn(email)).status).toBe(302);
    return browser;
  }

  const refreshWithCookie = (browser: TestBrowser, origin: string | null = ORIGIN) =>
    browser.request('/auth/refresh', { method: 'POST', origin });

  /** A body caller: `{"refresh_token"}` in, JSON out, no cookies involved. */
  const refreshWithBody = (token: string) =>
    fetch(`${suite.app.baseUrl}/auth/refresh`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: token }),
    });

  const familyOf = async (token: string) => {
    const row = await suite.app.store.db
      .selectFrom('refresh_tokens as t')
      .innerJoin('refresh_token_families as f', 'f.id', 't.family_id')
      .select(['f.id', 'f.revoked_at', 'f.revoked_reason'])
      .where('t.token_hash', '=', hashOf(token))
      .executeTakeFirst();
    return row;
  };
  const hashOf = (token: string) => hashSecret(suite.app.config.apiKeyPepper, token);

  it('rotates the refresh token on every use and sets fresh cookies for a cookie caller', async () => {
    const browser = await signedIn();
    const first = browser.jar.get('refresh_token')?.value as string;
    const firstAccess = browser.jar.get('access_token')?.value as string;
    suite.app.clock.advance(60);

    const response = await refreshWithCookie(browser);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const body = (await response.json()) as Record<string, unknown>;
    expect(Object.keys(body).sort()).toEqual(['expires_in', 'token_expiry']);
    expect(body.expires_in).toBe(1800);

    const second = browser.jar.get('refresh_token')?.value as string;
    expect(second).toMatch(/^grt_[\w-]{43}$/);
    expect(second).not.toBe(first);
    const access = browser.jar.get('access_token')?.value as string;
    expect(access).not.toBe(firstAccess);
    expect(body.token_expiry).toBe(decodeJwt(access).exp);
    expect(browser.jar.get('token_expiry')?.value).toBe(String(body.token_expiry));

    // The stored token is a keyed hash, never the token itself.
    const stored = await suite.app.store.db.selectFrom('refresh_tokens').select('token_hash').execute();
    expect(stored.map((r) => r.token_hash)).toContain(hashOf(second));
    expect(JSON.stringify(stored)).not.toContain(second);
  });

  it('answers a body caller with JSON tokens and no cookies', async () => {
    const browser = await signedIn();
    const response = await refreshWithBody(browser.jar.get('refresh_token')?.value as string);
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual([]);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toMatchObject({ token_type: 'Bearer', expires_in: 1800 });
    expect(body.refresh_token).toMatch(/^grt_[\w-]{43}$/);
    const me = await fetch(`${suite.app.baseUrl}/auth/me`, {
      headers: { authorization: `Bearer ${body.access_token}` },
    });
    expect(await me.json()).toMatchObject({ auth_kind: 'session', email: 'analyst@example.test', role: 'analyst' });
  });

  it('revokes the whole family when a used refresh token is presented again after the grace window', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    expect((await refreshWithCookie(browser)).status).toBe(200);
    const t2 = browser.jar.get('refresh_token')?.value as string;
    suite.app.clock.advance(11);

    const reused = await refreshWithBody(t1);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toEqual(REFUSED);
    // The thief's use also killed the legitimate holder's current token.
    const current = await refreshWithCookie(browser);
    expect(current.status).toBe(401);
    expect(await current.json()).toEqual(REFUSED);
    expect(browser.jar.get('refresh_token')).toBeUndefined();
    expect(await familyOf(t2)).toMatchObject({ revoked_reason: 'reuse' });

    const audit = await suite.app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'session.refresh_reuse')
      .where('credential_id', '=', (await familyOf(t2))?.id as string)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'failure', reason: 'reuse' });
  });

  it('lets two tabs refresh at once: the immediately previous token gets one grace successor', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    const [a, b] = await Promise.all([refreshWithBody(t1), refreshWithBody(t1)]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const tabA = ((await a.json()) as { refresh_token: string }).refresh_token;
    const tabB = ((await b.json()) as { refresh_token: string }).refresh_token;
    expect(tabA).not.toBe(tabB);
    // The tab that refreshes next keeps the session; the other tab's token is then revoked, and no family is lost.
    suite.app.clock.advance(5);
    expect((await refreshWithBody(tabB)).status).toBe(200);
    const sibling = await refreshWithBody(tabA);
    expect(sibling.status).toBe(401);
    expect(await sibling.json()).toEqual(REFUSED);
    expect(await familyOf(tabB)).toMatchObject({ revoked_at: null });
  });

  it('allows at most one grace successor: a third presentation inside the window is reuse', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    const first = await refreshWithBody(t1);
    suite.app.clock.advance(1);
    const second = await refreshWithBody(t1);
    expect([first.status, second.status]).toEqual([200, 200]);
    const successors = await Promise.all(
      [first, second].map(async (r) => ((await r.json()) as { refresh_token: string }).refresh_token),
    );
    suite.app.clock.advance(1);
    const third = await refreshWithBody(t1);
    expect(third.status).toBe(401);
    expect(await third.json()).toEqual(REFUSED);
    expect(await familyOf(t1)).toMatchObject({ revoked_reason: 'reuse' });
    for (const successor of successors) expect((await refreshWithBody(successor)).status).toBe(401);
  });

  it('never forks a session: three concurrent presentations leave no live successor beyond one line', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    const answers = await Promise.all([refreshWithBody(t1), refreshWithBody(t1), refreshWithBody(t1)]);
    const statuses = answers.map((r) => r.status).sort();
    // The first rotates, one more gets the grace successor, the third is reuse and revokes the family.
    expect(statuses).toEqual([200, 200, 401]);
    expect(await familyOf(t1)).toMatchObject({ revoked_reason: 'reuse' });
    for (const answer of answers.filter((r) => r.status === 200)) {
      const { refresh_token } = (await answer.json()) as { refresh_token: string };
      expect((await refreshWithBody(refresh_token)).status).toBe(401);
    }
  });

  it('revokes unused siblings once one child is used, even after the grace window', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    const a = ((await (await refreshWithBody(t1)).json()) as { refresh_token: string }).refresh_token;
    const b = ((await (await refreshWithBody(t1)).json()) as { refresh_token: string }).refresh_token;
    suite.app.clock.advance(60);
    const a2 = ((await (await refreshWithBody(a)).json()) as { refresh_token: string }).refresh_token;
    expect(a2).toMatch(/^grt_/);
    expect((await refreshWithBody(b)).status).toBe(401);
    // The session itself lives on through the line that was used.
    expect((await refreshWithBody(a2)).status).toBe(200);
  });

  it('grants no grace to a token older than the immediately previous one', async () => {
    const browser = await signedIn();
    const t1 = browser.jar.get('refresh_token')?.value as string;
    const t2 = ((await (await refreshWithBody(t1)).json()) as { refresh_token: string }).refresh_token;
    const t3 = ((await (await refreshWithBody(t2)).json()) as { refresh_token: string }).refresh_token;
    // One second later: within the window, but t2 (t1's child) has been used, so t1 is two generations back.
    suite.app.clock.advance(1);
    const reused = await refreshWithBody(t1);
    expect(reused.status).toBe(401);
    expect(await reused.json()).toEqual(REFUSED);
    expect((await refreshWithBody(t3)).status).toBe(401);
  });

  it('refuses an unknown or expired refresh token and a request without one', async () => {
    const unknown = await refreshWithBody(`grt_${'A'.repeat(43)}`);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(REFUSED);

    const none = await fetch(`${suite.app.baseUrl}/auth/refresh`, { method: 'POST' });
    expect(none.status).toBe(401);
    expect(await none.json()).toEqual(REFUSED);

    const browser = await signedIn();
    suite.app.clock.advance(1_209_600 + 1);
    const expired = await refreshWithCookie(browser);
    expect(expired.status).toBe(401);
    expect(await expired.json()).toEqual(REFUSED);
  });

  it('applies a role change at the next refresh', async () => {
    const admin = await signedIn('admin@example.test');
    const analyst = await signedIn('viewer@example.test');
    const userId = decodeJwt(analyst.jar.get('access_token')?.value as string).sub as string;

    const patch = await admin.request(`/api/v1/users/${userId}`, {
      method: 'PATCH',
      origin: ORIGIN,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: 'operator' }),
    });
    expect(patch.status).toBe(200);
    // The current access token still carries the old role until it is refreshed.
    expect(await (await analyst.request('/auth/me')).json()).toMatchObject({ role: 'viewer' });
    expect((await refreshWithCookie(analyst)).status).toBe(200);
    expect(await (await analyst.request('/auth/me')).json()).toMatchObject({
      role: 'operator',
      permissions: expect.arrayContaining(['team:write']),
    });
  });

  it("refuses a disabled user's access token and ends the session at the next refresh", async () => {
    const browser = await signedIn('plain@example.test');
    const userId = decodeJwt(browser.jar.get('access_token')?.value as string).sub as string;
    const token = browser.jar.get('refresh_token')?.value as string;
    await suite.app.store.db
      .updateTable('users')
      .set({ disabled_at: new Date().toISOString() })
      .where('id', '=', userId)
      .execute();
    await suite.app.services.userProfiles.changed(userId);
    // The access token still verifies, but the session resolver refuses a disabled user at once.
    const me = await browser.request('/auth/me');
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual(errorBody('unauthorized', 'The account behind this session is disabled'));
    const response = await refreshWithCookie(browser);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(REFUSED);
    expect(await familyOf(token)).toMatchObject({ revoked_reason: 'user_disabled' });
    await suite.app.store.db.updateTable('users').set({ disabled_at: null }).where('id', '=', userId).execute();
    await suite.app.services.userProfiles.changed(userId);
  });

  it('logs out: revokes the family and the access token, clears the three cookies', async () => {
    const browser = await signedIn();
    const refresh = browser.jar.get('refresh_token')?.value as string;
    const access = browser.jar.get('access_token')?.value as string;

    const response = await browser.request('/auth/logout', { method: 'POST', origin: ORIGIN });
    expect(response.status).toBe(204);
    const cleared = response.headers.getSetCookie();
    expect(cleared).toEqual([
      'access_token=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax',
      'refresh_token=; Max-Age=0; Path=/auth; HttpOnly; Secure; SameSite=Lax',
      'token_expiry=; Max-Age=0; Path=/; Secure; SameSite=Lax',
    ]);
    expect(browser.jar.get('access_token')).toBeUndefined();

    const family = await familyOf(refresh);
    expect(family).toMatchObject({ revoked_reason: 'logout' });
    const { sub, jti } = decodeJwt(access);
    const auditRows = (kind: string, credentialId: string) =>
      suite.app.store.db
        .selectFrom('audit_events')
        .select(['outcome', 'actor_kind', 'actor_subject', 'target', 'reason', 'ip'])
        .where('kind', '=', kind)
        .where('credential_id', '=', credentialId)
        .execute();
    const byUser = { outcome: 'success', actor_kind: 'user', actor_subject: sub, target: sub, ip: expect.any(String) };
    expect(await auditRows('session.logout', family?.id as string)).toEqual([{ ...byUser, reason: null }]);
    expect(await auditRows('access_token.revoked', jti as string)).toEqual([{ ...byUser, reason: 'logout' }]);
    const again = await refreshWithBody(refresh);
    expect(again.status).toBe(401);
    const stale = await fetch(`${suite.app.baseUrl}/auth/me`, { headers: { authorization: `Bearer ${access}` } });
    expect(stale.status).toBe(401);
    expect(await stale.json()).toEqual(errorBody('unauthorized', 'The access token has been revoked'));
  });

  it('checks Origin on cookie-authenticated writes and not on reads or bearer calls', async () => {
    const browser = await signedIn('admin@example.test');
    const userId = decodeJwt(browser.jar.get('access_token')?.value as string).sub as string;

    const crossSite = await refreshWithCookie(browser, 'https://evil.example');
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toEqual(CROSS_SITE);
    const noOrigin = await refreshWithCookie(browser, null);
    expect(noOrigin.status).toBe(403);
    expect(await noOrigin.json()).toEqual(
      errorBody(
        'forbidden',
        'Cookie-authenticated requests that change state must send an Origin header from one of ALLOWED_ORIGINS',
      ),
    );
    const viaReferer = await browser.request('/auth/refresh', {
      method: 'POST',
      headers: { referer: `${ORIGIN}/investigations` },
    });
    expect(viaReferer.status).toBe(200);

    // Any route authenticated by the access_token cookie gets the check (through the session resolver).
    const patch = (init: { origin?: string; bearer?: boolean }) =>
      init.bearer
        ? fetch(`${suite.app.baseUrl}/api/v1/users/${userId}`, {
            method: 'PATCH',
            headers: {
              'content-type': 'application/json',
              origin: init.origin as string,
              authorization: `Bearer ${browser.jar.get('access_token')?.value}`,
            },
            body: JSON.stringify({ role: 'admin' }),
          })
        : browser.request(`/api/v1/users/${userId}`, {
            method: 'PATCH',
            origin: init.origin,
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ role: 'admin' }),
          });
    const forged = await patch({ origin: 'https://evil.example' });
    expect(forged.status).toBe(403);
    expect(await forged.json()).toEqual(CROSS_SITE);
    expect((await patch({ origin: ORIGIN })).status).toBe(200);
    expect((await patch({ origin: 'https://evil.example', bearer: true })).status).toBe(200);
    const read = await browser.request('/auth/me', { origin: 'https://evil.example' });
    expect(read.status).toBe(200);

    const refreshBefore = browser.jar.get('refresh_token')?.value;
    expect(refreshBefore).toMatch(/^grt_/);
    const logout = await browser.request('/auth/logout', { method: 'POST', origin: 'https://evil.example' });
    expect(logout.status).toBe(403);
    expect(await logout.json()).toEqual(CROSS_SITE);
    // Refused before it touched the session: the refresh cookie is neither cleared nor replaced.
    expect(browser.jar.get('refresh_token')?.value).toBe(refreshBefore);
  });

  it('ends a browser session after 30 days (SESSION_MAX_LIFETIME_SECONDS) from sign-in, however often it is refreshed', async () => {
    const DAY = 86_400;
    const browser = await signedIn();
    expect(browser.jar.get('refresh_token')?.maxAge).toBe(14 * DAY);
    suite.app.clock.advance(13 * DAY);
    expect((await refreshWithCookie(browser)).status).toBe(200);
    expect(browser.jar.get('refresh_token')?.maxAge).toBe(14 * DAY);
    suite.app.clock.advance(13 * DAY);
    expect((await refreshWithCookie(browser)).status).toBe(200);
    // 26 days in: the new token, and the cookies that carry it, end with the session in 4 days rather than 14.
    expect(browser.jar.get('refresh_token')?.maxAge).toBe(4 * DAY);
    expect(browser.jar.get('token_expiry')?.maxAge).toBe(4 * DAY);
    const last = browser.jar.get('refresh_token')?.value as string;
    suite.app.clock.advance(4 * DAY - 1);
    expect(await suite.app.services.refreshTokens.describe(last)).toBeDefined();
    suite.app.clock.advance(1);
    expect(await suite.app.services.refreshTokens.describe(last)).toBeUndefined();
    const over = await refreshWithCookie(browser);
    expect(over.status).toBe(401);
    expect(await over.json()).toEqual(REFUSED);
  });

  it('ends a session at its limit even when a token row outlives it (issued before the limit)', async () => {
    const browser = await signedIn();
    const token = browser.jar.get('refresh_token')?.value as string;
    await suite.app.store.db
      .updateTable('refresh_tokens')
      .set({ expires_at: '2999-01-01T00:00:00.000Z' })
      .where('token_hash', '=', hashOf(token))
      .execute();
    suite.app.clock.advance(2_592_000);
    expect(await suite.app.services.refreshTokens.describe(token)).toBeUndefined();
    const over = await refreshWithBody(token);
    expect(over.status).toBe(401);
    expect(await over.json()).toEqual(REFUSED);
    // Refused as expired, not as reuse: the family is not revoked, the session simply ended.
    expect((await familyOf(token))?.revoked_at).toBeNull();
  });

  // Last: it moves the shared clock past every token's lifetime.
  it('prunes expired refresh tokens and the families left empty, keeping live ones', async () => {
    const old = await signedIn();
    const oldToken = old.jar.get('refresh_token')?.value as string;
    const oldFamily = (await familyOf(oldToken))?.id as string;
    suite.app.clock.advance(1_209_600 - 60);
    const fresh = await signedIn();
    suite.app.clock.advance(120);

    const deleted = await suite.app.services.refreshTokens.pruneExpired();
    expect(deleted).toBeGreaterThan(0);
    expect(await familyOf(oldToken)).toBeUndefined();
    const families = await suite.app.store.db.selectFrom('refresh_token_families').select('id').execute();
    expect(families.map((f) => f.id)).not.toContain(oldFamily);
    expect((await refreshWithCookie(fresh)).status).toBe(200);
  });
});
