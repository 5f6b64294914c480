import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS } from '../../support/databases.js';
import { errorBody, TestBrowser, useSigninSuite } from './support/signin-harness.js';

describe.each(STORE_DIALECTS)('first sign-in provisioning and role mapping (%s)', (dialect) => {
  const suite = useSigninSuite(dialect);

  const userBySubject = (subject: string) =>
    suite.app.store.db.selectFrom('users').selectAll().where('subject', '=', subject).execute();

  it.each([
    ['admin@example.test', 'dev-admin', 'admin'],
    ['analyst@example.test', 'dev-analyst', 'analyst'],
    // Several catalog roles: the catalog's order decides (admin is declared before viewer).
    ['multi@example.test', 'multi', 'admin'],
    // Roles the catalog does not know are ignored; the catalog's default role applies.
    ['stranger@example.test', 'unknown-role', 'analyst'],
    ['plain@example.test', 'no-roles', 'analyst'],
  ])('provisions %s on first sign-in with the role mapped from `roles`', async (email, subject, role) => {
    const browser = new TestBrowser(suite.app);
    expect((await browser.signIn(email)).status).toBe(302);
    const rows = await userBySubject(subject);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ issuer: suite.idp.issuer, email, role, org_id: 'default', disabled_at: null });
    expect(decodeJwt(browser.jar.get('access_token')?.value as string)).toMatchObject({ role, sub: rows[0]?.id });
  });

  it('keeps a returning user in one row with the role an admin gave them, and records each sign-in', async () => {
    const first = new TestBrowser(suite.app);
    await first.signIn('viewer@example.test');
    const [created] = await userBySubject('viewer');
    await suite.app.store.db
      .updateTable('users')
      .set({ role: 'operator' })
      .where('id', '=', created?.id as string)
      .execute();

    suite.app.clock.advance(3600);
    const again = new TestBrowser(suite.app);
    expect((await again.signIn('viewer@example.test')).status).toBe(302);
    const rows = await userBySubject('viewer');
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ id: created?.id, role: 'operator' });
    expect(rows[0]?.last_sign_in_at).toBe(new Date(suite.app.clock.now()).toISOString());
    expect(rows[0]?.created_at).toBe(created?.created_at);
    expect(decodeJwt(again.jar.get('access_token')?.value as string).role).toBe('operator');

    const signIns = await suite.app.store.db
      .selectFrom('audit_events')
      .select('details')
      .where('kind', '=', 'session.sign_in')
      .where('target', '=', created?.id as string)
      .orderBy('at')
      .execute();
    expect(signIns.map((row) => JSON.parse(row.details as string).created)).toEqual([true, false]);
  });

  it('refuses sign-in for a disabled user', async () => {
    await new TestBrowser(suite.app).signIn('stranger@example.test');
    await suite.app.store.db
      .updateTable('users')
      .set({ disabled_at: new Date(suite.app.clock.now()).toISOString() })
      .where('subject', '=', 'unknown-role')
      .execute();
    const browser = new TestBrowser(suite.app);
    const response = await browser.signIn('stranger@example.test');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual(errorBody('forbidden', 'This account is disabled'));
    expect(browser.jar.get('access_token')).toBeUndefined();
  });
});
