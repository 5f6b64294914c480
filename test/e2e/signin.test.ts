import type { Cookie, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DevOidcProvider, startDevOidcProvider } from '../../runtime/src/dev/dev-oidc-provider.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { ManualClock } from '../support/clock.js';
import { freePort } from '../support/free-port.js';
import { CHROMIUM_SETUP_TIMEOUT_MS, type ChromiumSession, launchChromium } from './chromium.js';

/** A fetch run by the page itself (same origin, cookies included), so the browser decides what it sends. */
function pageFetch(page: Page, path: string, method = 'GET') {
  return page.evaluate(
    async ([url, verb]) => {
      const response = await fetch(url as string, { method: verb as string, credentials: 'include' });
      const text = await response.text();
      return {
        status: response.status,
        body: text ? JSON.parse(text) : null,
        scriptCookies: (globalThis as unknown as { document: { cookie: string } }).document.cookie,
      };
    },
    [path, method],
  );
}

describe('browser sign-in in real Chromium', () => {
  let idp: DevOidcProvider;
  let app: TestApp;
  let chromium: ChromiumSession;
  let base: string;

  beforeAll(async () => {
    const port = await freePort();
    // The browser follows real redirects, so PUBLIC_URL must be the address the runtime listens on.
    base = `http://127.0.0.1:${port}`;
    idp = await startDevOidcProvider({
      nodeEnv: 'test',
      clientId: 'gatehouse-e2e',
      clientSecret: 'e2e-client-secret-0123456789abcdef',
      redirectUris: [`${base}/auth/callback`],
    });
    app = await startTestApp({
      dialect: 'sqlite',
      clock: new ManualClock(Date.now()),
      env: {
        PORT: String(port),
        PUBLIC_URL: base,
        OIDC_ISSUER: idp.issuer,
        OIDC_CLIENT_ID: 'gatehouse-e2e',
        OIDC_CLIENT_SECRET: 'e2e-client-secret-0123456789abcdef',
      },
    });
    chromium = await launchChromium();
  }, CHROMIUM_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await idp?.close();
  });

  it('signs in on the IdP page, lands on return_to with Secure httpOnly cookies, refreshes and logs out', async () => {
    const { context } = chromium;
    const page = await context.newPage();

    await page.goto(`${base}/auth/login?return_to=${encodeURIComponent('/some/page?tab=2')}`);
    expect(page.url().startsWith(`${idp.issuer}/interaction/`)).toBe(true);
    await page.fill('#email', 'admin@example.test');
    await Promise.all([page.waitForURL(`${base}/some/page?tab=2`), page.click('#sign-in')]);
    expect(page.url()).toBe(`${base}/some/page?tab=2`);

    // Chromium stored the Secure cookies over http://127.0.0.1: loopback is a secure context.
    const byName = (cookies: Cookie[]) => new Map(cookies.map((c) => [c.name, c]));
    const signedIn = byName(await context.cookies(base));
    const all = byName(await context.cookies());
    expect(signedIn.get('access_token')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/' });
    expect(signedIn.get('token_expiry')).toMatchObject({ httpOnly: false, secure: true, sameSite: 'Lax', path: '/' });
    expect(all.get('refresh_token')).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Lax', path: '/auth' });
    // Path=/auth: the refresh token is not sent to (nor listed for) other paths.
    expect(signedIn.has('refresh_token')).toBe(false);
    expect(all.has('gatehouse_login')).toBe(false);

    const me = await pageFetch(page, '/auth/me');
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      role: 'admin',
      auth_kind: 'session',
      email: 'admin@example.test',
      name: 'Ada Admin',
    });
    // Scripts see token_expiry only; both tokens are httpOnly.
    expect(me.scriptCookies).toBe(`token_expiry=${signedIn.get('token_expiry')?.value}`);

    const refreshed = await pageFetch(page, '/auth/refresh', 'POST');
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.token_expiry).toBe(Number(byName(await context.cookies()).get('token_expiry')?.value));
    const rotated = byName(await context.cookies());
    expect(rotated.get('refresh_token')?.value).not.toBe(all.get('refresh_token')?.value);
    expect(rotated.get('access_token')?.value).not.toBe(all.get('access_token')?.value);
    expect((await pageFetch(page, '/auth/me')).status).toBe(200);

    const logout = await pageFetch(page, '/auth/logout', 'POST');
    expect(logout.status).toBe(204);
    const after = byName(await context.cookies());
    expect(
      [...after.keys()].filter((name) => ['access_token', 'refresh_token', 'token_expiry'].includes(name)),
    ).toEqual([]);
    const gone = await pageFetch(page, '/auth/me');
    expect(gone.status).toBe(401);
    expect(gone.body).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });
  });
});
