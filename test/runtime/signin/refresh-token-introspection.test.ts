import { decodeJwt } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { STORE_DIALECTS } from '../../support/databases.js';
import { ORIGIN, TestBrowser, useSigninSuite } from './support/signin-harness.js';

describe.each(STORE_DIALECTS)('refresh tokens at /oauth2/introspect and /oauth2/revoke (%s)', (dialect) => {
  const suite = useSigninSuite(dialect);
  let adminBearer: string;
  beforeAll(async () => {
    const admin = new TestBrowser(suite.app);
    await admin.signIn('admin@example.test');
    adminBearer = `Bearer ${admin.jar.get('access_token')?.value}`;
  });

  const oauth = (endpoint: 'introspect' | 'revoke', token: string) =>
    fetch(`${suite.app.baseUrl}/oauth2/${endpoint}`, {
      method: 'POST',
      headers: { authorization: adminBearer, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token, token_type_hint: 'refresh_token' }),
    });

  it('introspects a live refresh token and reports a used one inactive', async () => {
    const browser = new TestBrowser(suite.app);
    await browser.signIn('analyst@example.test');
    const userId = decodeJwt(browser.jar.get('access_token')?.value as string).sub;
    const token = browser.jar.get('refresh_token')?.value as string;

    const live = await oauth('introspect', token);
    expect(live.status).toBe(200);
    expect(await live.json()).toMatchObject({
      active: true,
      token_type: 'refresh_token',
      sub: userId,
      auth_kind: 'session',
      org_id: 'default',
      role: 'analyst',
    });

    expect((await browser.request('/auth/refresh', { method: 'POST', origin: ORIGIN })).status).toBe(200);
    expect(await (await oauth('introspect', token)).json()).toEqual({ active: false });
  });

  it('revokes the whole session of a refresh token', async () => {
    const browser = new TestBrowser(suite.app);
    await browser.signIn('analyst@example.test');
    const token = browser.jar.get('refresh_token')?.value as string;
    expect((await oauth('revoke', token)).status).toBe(200);
    expect(await (await oauth('introspect', token)).json()).toEqual({ active: false });
    expect((await browser.request('/auth/refresh', { method: 'POST', origin: ORIGIN })).status).toBe(401);
    const audit = await suite.app.store.db
      .selectFrom('audit_events')
      .select(['reason', 'outcome'])
      .where('kind', '=', 'session.revoked')
      .execute();
    expect(audit).toEqual([{ reason: 'oauth2_revoke', outcome: 'success' }]);
  });
});
