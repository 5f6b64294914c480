import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOidcProvider } from '../../runtime/src/dev/dev-oidc-provider.js';
import { CLOCK_SKEW_SECONDS } from '../../runtime/src/keys/key-ring.js';
import { startSigninApp, startTestIdp, TestBrowser } from '../runtime/signin/support/signin-harness.js';
import type { TestApp } from '../support/app.js';
import { freePort } from '../support/free-port.js';
import { CHROMIUM_SETUP_TIMEOUT_MS, type ChromiumSession, launchChromium } from './chromium.js';

const SCREENSHOT = '/tmp/admin-console.png';

describe('admin console in real Chromium', () => {
  let idp: DevOidcProvider;
  let app: TestApp;
  let chromium: ChromiumSession;
  let base: string;
  let page: Page;
  /** Console errors and uncaught exceptions of the page (a CSP or Trusted Types violation shows up here). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const port = await freePort();
    // The browser follows real redirects, so PUBLIC_URL must be the address the runtime listens on.
    base = `http://127.0.0.1:${port}`;
    idp = await startTestIdp([`${base}/auth/callback`]);
    app = await startSigninApp('sqlite', idp, { PORT: String(port), PUBLIC_URL: base });
    // The analyst signs in once (first sign-in provisions the account the admin will demote).
    expect((await new TestBrowser(app).signIn('analyst@example.test')).status).toBe(302);
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    page.on('console', (message) => {
      // A 401 answered to a fetch is logged as "Failed to load resource"; the refresh-and-retry test causes one.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Revoke asks for confirmation.
    page.on('dialog', (dialog) => void dialog.accept());
  }, CHROMIUM_SETUP_TIMEOUT_MS);
  afterAll(async () => {
    await chromium?.close();
    await app?.close();
    await idp?.close();
  });

  const me = (headers: Record<string, string>) => fetch(`${base}/auth/me`, { headers });
  const sessionBearer = async () => {
    const cookie = (await chromium.context.cookies(base)).find((c) => c.name === 'access_token');
    return { authorization: `Bearer ${cookie?.value}` };
  };

  it('signs in through /admin, creates, uses and revokes an API key and a client, and demotes the analyst', async () => {
    await page.goto(`${base}/admin`);
    expect(page.url().startsWith(`${idp.issuer}/interaction/`)).toBe(true);
    await page.fill('#email', 'admin@example.test');
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('#sign-in')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#whoami')).toBe('Ada Admin <admin@example.test> · admin');
    for (const id of ['users', 'api-keys', 'clients', 'audit']) {
      expect(await page.isVisible(`section#${id}`)).toBe(true);
    }

    // Create a key in the UI; its secret is shown once.
    await page.fill('#api-key-create input[name="name"]', 'e2e <b>key</b>');
    await page.check('#api-key-create input[name="scopes"][value="investigations:read"]');
    await page.click('#api-key-create button[type="submit"]');
    const secret = (await page.locator('#api-key-secret .secret-value').textContent()) as string;
    expect(secret).toMatch(/^sk_test_/);
    expect(await page.locator('#api-key-secret').textContent()).toBe(
      `API key "e2e <b>key</b>" createdCopy it now: it is shown only this once and cannot be retrieved later.X-API-Key${secret}CopyI have stored it`,
    );
    // The name came back from the server and was rendered as text, not markup.
    const row = page.locator('#api-key-rows tr', { hasText: 'e2e <b>key</b>' });
    await row.waitFor();
    expect(await page.locator('#api-key-rows b').count()).toBe(0);
    expect(await row.locator('.badge').textContent()).toBe('active');

    const withKey = await me({ 'x-api-key': secret });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ auth_kind: 'api_key', scopes: ['investigations:read'] });

    // Revoke it in the UI; the runtime refuses it from then on.
    await row.locator('button.revoke').click();
    await page.locator('#api-key-rows tr', { hasText: 'e2e <b>key</b>' }).locator('.badge.revoked').waitFor();
    const refused = await me({ 'x-api-key': secret });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    // An API client: created in the UI (secret shown once), usable at /oauth2/token, deleted in the UI.
    await page.fill('#client-create input[name="name"]', 'e2e client');
    await page.check('#client-create input[name="scopes"][value="search:read"]');
    await page.click('#client-create button[type="submit"]');
    // allTextContents() does not wait: wait until both values (client id, then secret) are rendered.
    await page.locator('#client-secret .secret-value').nth(1).waitFor();
    const [clientId, clientSecret] = (await page.locator('#client-secret .secret-value').allTextContents()) as [
      string,
      string,
    ];
    const token = () =>
      fetch(`${base}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
    const issued = await token();
    expect(issued.status).toBe(200);
    expect(await issued.json()).toMatchObject({ token_type: 'Bearer', scope: 'search:read' });
    await page.locator('#client-rows tr', { hasText: clientId }).locator('button.delete').click();
    await page.locator('#client-rows td.empty').waitFor();
    const afterDelete = await token();
    expect(afterDelete.status).toBe(401);
    expect(((await afterDelete.json()) as { error: string }).error).toBe('invalid_client');

    // Demote the analyst in the UI and check through the users API.
    const analyst = page.locator('#users-rows tr', { hasText: 'analyst@example.test' });
    await analyst.locator('select').selectOption('viewer');
    await analyst.locator('button.change-role').click();
    await page.waitForSelector('#status:has-text("now has the role viewer")');
    const users = await fetch(`${base}/api/v1/users?search=analyst`, { headers: await sessionBearer() });
    expect(users.status).toBe(200);
    expect(((await users.json()) as { users: Array<{ email: string; role: string }> }).users).toEqual([
      expect.objectContaining({ email: 'analyst@example.test', role: 'viewer' }),
    ]);
    expect(await page.textContent('#status')).toBe(
      'analyst@example.test now has the role viewer (from their next token refresh).',
    );

    await page.click('#audit-reload');
    await page.locator('#audit-rows tr', { hasText: 'user.role_changed' }).first().waitFor();
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('refreshes an expired session once and retries the call, without leaving the page', async () => {
    const before = await sessionBearer();
    app.clock.advance(app.config.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS + 1);
    // The old access token is now refused as expired...
    expect((await (await me(before)).json()) as unknown).toEqual({
      error: { code: 'token_expired', message: expect.any(String) },
    });
    // ...and the console refreshes and retries on its own.
    await page.fill('#users-query', 'analyst');
    await page.click('#users-search button[type="submit"]');
    await expect.poll(() => page.locator('#users-rows tr').count()).toBe(1);
    expect(await page.locator('#users-rows tr').textContent()).toContain('analyst@example.test');
    expect(page.url()).toBe(`${base}/admin`);
    const after = await sessionBearer();
    expect(after.authorization).not.toBe(before.authorization);
    expect((await me(after)).status).toBe(200);
    expect(pageErrors).toEqual([]);
  });
});
