import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DevOidcProvider } from '../../runtime/src/dev/dev-oidc-provider.js';
import { CLOCK_SKEW_SECONDS } from '../../runtime/src/keys/key-ring.js';
import { startSigninApp, startTestIdp, TestBrowser } from '../runtime/signin/support/signin-harness.js';
import type { TestApp } from '../support/app.js';
import { freePort } from '../support/free-port.js';
import { CHROMIUM_SETUP_TIMEOUT_MS, type ChromiumSession, launchChromium } from './chromium.js';

/** Screenshots of every section at both widths (gitignored; CI may keep them as an artifact). */
const SCREENSHOTS = join(import.meta.dirname, '../../test-output/admin-console');
const SECTIONS = ['users', 'api-keys', 'clients', 'teams', 'admin-tokens', 'signing-keys', 'audit'] as const;
const DESKTOP = { width: 1280, height: 900 };
const PHONE = { width: 360, height: 780 };

describe('admin console in real Chromium', () => {
  let idp: DevOidcProvider;
  let app: TestApp;
  let chromium: ChromiumSession;
  let base: string;
  let page: Page;
  /** Console errors and uncaught exceptions of the page (a CSP or Trusted Types violation shows up here). */
  const pageErrors: string[] = [];
  /** The `id` of the API key the first test creates and revokes; the audit test filters on it. */
  let apiKeyId = '';
  /** The kid the signing-key rotation made. */
  let rotatedKid = '';

  beforeAll(async () => {
    const port = await freePort();
    // The browser follows real redirects, so PUBLIC_URL must be the address the runtime listens on.
    base = `http://127.0.0.1:${port}`;
    idp = await startTestIdp([`${base}/auth/callback`]);
    app = await startSigninApp('sqlite', idp, { PORT: String(port), PUBLIC_URL: base });
    // The analyst signs in once (first sign-in provisions the account the admin will demote).
    expect((await new TestBrowser(app).signIn('analyst@example.test')).status).toBe(302);
    mkdirSync(SCREENSHOTS, { recursive: true });
    chromium = await launchChromium();
    page = await chromium.context.newPage();
    await page.setViewportSize(DESKTOP);
    page.on('console', (message) => {
      // A 401 answered to a fetch is logged as "Failed to load resource"; the refresh-and-retry test causes one.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) {
        pageErrors.push(message.text());
      }
    });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    // Revoke, rotate and delete ask for confirmation.
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
  /** Opens a section from the navigation, as a user does, and waits until its data is shown. */
  const open = async (id: string) => {
    await page.click(`nav a[data-section="${id}"]`);
    await page.waitForSelector(`section#${id}:not([hidden])`);
    await page.waitForSelector('body[data-ready="true"]');
  };
  const visibleSections = () =>
    page.$$eval('main section[data-permission]', (all) => all.filter((s) => !s.hidden).map((s) => s.id));
  const status = () => page.textContent('#status');
  /** A property of the focused element (evaluated in the page: the test's own types have no DOM). */
  const focused = (property: string) => page.evaluate(`document.activeElement?.${property}`);

  it('signs in through /admin, shows one section at a time, and creates, uses and revokes an API key and a client', async () => {
    await page.goto(`${base}/admin`);
    expect(page.url().startsWith(`${idp.issuer}/interaction/`)).toBe(true);
    await page.fill('#email', 'admin@example.test');
    await Promise.all([page.waitForURL(`${base}/admin`), page.click('#sign-in')]);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#whoami')).toBe('Ada Admin <admin@example.test> · admin');
    expect(await page.$$eval('nav a:not([hidden])', (links) => links.map((a) => a.dataset.section))).toEqual([
      ...SECTIONS,
    ]);
    expect(await visibleSections()).toEqual(['users']);
    expect(await page.getAttribute('nav a[data-section="users"]', 'aria-current')).toBe('page');
    // No message yet: the status line takes no room.
    expect(await page.$eval('#status', (el) => el.getBoundingClientRect().height)).toBe(0);

    // Create a key in the UI; its secret is shown once.
    await open('api-keys');
    expect(page.url()).toBe(`${base}/admin#api-keys`);
    expect(await visibleSections()).toEqual(['api-keys']);
    await page.fill('#api-key-create input[name="name"]', 'e2e <b>key</b>');
    await page.fill('#api-key-create input[name="rate_limit_per_minute"]', '120');
    await page.check('#api-key-create input[name="scopes"][value="investigations:read"]');
    await page.click('#api-key-create button[type="submit"]');
    const secret = (await page.locator('#api-key-secret .secret-value').textContent()) as string;
    expect(secret).toMatch(/^sk_test_/);
    expect(await page.locator('#api-key-secret').textContent()).toBe(
      `API key "e2e <b>key</b>" createdCopy it now: it is shown only this once and cannot be retrieved later.X-API-Key${secret}CopyI have stored it`,
    );
    // The name came back from the server and was rendered as text, not markup; the table shows the key's id.
    const row = page.locator('#api-key-rows tr', { hasText: 'e2e <b>key</b>' });
    await row.waitFor();
    expect(await page.locator('#api-key-rows b').count()).toBe(0);
    expect(await row.locator('.badge').textContent()).toBe('active');
    apiKeyId = (await row.getAttribute('data-id')) as string;
    expect(apiKeyId).toMatch(/^key_/);
    expect(await row.locator('td').nth(1).textContent()).toBe(apiKeyId);
    expect(await row.locator('td.rate-limit').textContent()).toBe('120/min');
    const listed = await fetch(`${base}/api/v1/api-keys/${apiKeyId}`, { headers: await sessionBearer() });
    expect(await listed.json()).toMatchObject({ rate_limit_per_minute: 120 });

    const withKey = await me({ 'x-api-key': secret });
    expect(withKey.status).toBe(200);
    expect(await withKey.json()).toMatchObject({ auth_kind: 'api_key', scopes: ['investigations:read'] });

    // Revoke it in the UI; the runtime refuses it from then on.
    await row.locator('button.revoke').click();
    await page.locator('#api-key-rows tr', { hasText: 'e2e <b>key</b>' }).locator('.badge.revoked').waitFor();
    expect(await status()).toBe(`API key e2e <b>key</b> (${apiKeyId}) revoked.`);
    const refused = await me({ 'x-api-key': secret });
    expect(refused.status).toBe(401);
    expect(((await refused.json()) as { error: { code: string } }).error.code).toBe('unauthorized');

    // An API client: created in the UI (secret shown once), usable at /oauth2/token, a second secret added and the
    // first removed, then deleted in the UI.
    await open('clients');
    await page.fill('#client-create input[name="name"]', 'e2e client');
    await page.check('#client-create input[name="scopes"][value="search:read"]');
    await page.click('#client-create button[type="submit"]');
    await page.locator('#client-secret .secret-value').nth(1).waitFor();
    const [clientId, firstSecret] = (await page.locator('#client-secret .secret-value').allTextContents()) as [
      string,
      string,
    ];
    const token = (clientSecret: string) =>
      fetch(`${base}/oauth2/token`, {
        method: 'POST',
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: clientSecret,
        }),
      });
    expect((await token(firstSecret)).status).toBe(200);
    const clientRow = page.locator('#client-rows tr', { hasText: clientId });
    await clientRow.locator('button.add-secret').click();
    await page.waitForSelector('#client-secret .secret-title:has-text("New secret")');
    const secondSecret = (await page.locator('#client-secret .secret-value').nth(1).textContent()) as string;
    await clientRow.locator('li').nth(1).waitFor();
    await clientRow.locator('li').first().locator('button.remove-secret').click();
    await expect.poll(() => clientRow.locator('li').count()).toBe(1);
    expect((await token(firstSecret)).status).toBe(401);
    expect((await token(secondSecret)).status).toBe(200);
    await clientRow.locator('button.delete').click();
    await page.locator('#client-rows td.empty').waitFor();
    const afterDelete = await token(secondSecret);
    expect(afterDelete.status).toBe(401);
    expect(((await afterDelete.json()) as { error: string }).error).toBe('invalid_client');

    // Demote the analyst in the UI; the only admin's role cannot be changed from the console.
    await open('users');
    const adminRow = page.locator('#users-rows tr', { hasText: 'admin@example.test' });
    expect(await adminRow.locator('select').isDisabled()).toBe(true);
    expect(await adminRow.textContent()).toContain('the last admin');
    const analyst = page.locator('#users-rows tr', { hasText: 'analyst@example.test' });
    await analyst.locator('select').selectOption('viewer');
    await analyst.locator('button.change-role').click();
    await page.waitForSelector('#status:has-text("now has the role viewer")');
    const users = await fetch(`${base}/api/v1/users?search=analyst`, { headers: await sessionBearer() });
    expect(((await users.json()) as { users: Array<{ email: string; role: string }> }).users).toEqual([
      expect.objectContaining({ email: 'analyst@example.test', role: 'viewer' }),
    ]);
    expect(pageErrors).toEqual([]);
  });

  it('creates a team, opens it, generates a team token that works, and revokes it; the back button returns to the list', async () => {
    await open('teams');
    await page.fill('#team-create input[name="name"]', 'Blue team');
    await page.fill('#team-create input[name="slug"]', 'blue');
    await page.click('#team-create button[type="submit"]');
    await page.waitForURL(`${base}/admin#teams/blue`);
    await page.waitForSelector('#team-detail:not([hidden])');
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.textContent('#team-title')).toBe('Team Blue team (blue): tokens');
    expect(await page.isHidden('#team-list')).toBe(true);

    await page.fill('#team-token-create input[name="name"]', 'ci runner');
    await page.check('#team-token-create input[name="scopes"][value="search:read"]');
    await page.click('#team-token-create button[type="submit"]');
    const teamToken = (await page.locator('#team-token-secret .secret-value').textContent()) as string;
    expect(teamToken).toMatch(/^tok_[^.]+\.[^.]+$/);
    const tokenRow = page.locator('#team-token-rows tr', { hasText: 'ci runner' });
    await tokenRow.waitFor();
    expect(await tokenRow.locator('.badge').textContent()).toBe('active');

    const asTeam = await me({ authorization: `Bearer ${teamToken}` });
    expect(asTeam.status).toBe(200);
    const teams = (await (
      await fetch(`${base}/api/v1/orgs/default/teams`, { headers: await sessionBearer() })
    ).json()) as { teams: Array<{ id: string; slug: string }> };
    const blue = teams.teams.find((t) => t.slug === 'blue');
    expect(await asTeam.json()).toMatchObject({ auth_kind: 'team_token', team_id: blue?.id });

    await tokenRow.locator('button.revoke').click();
    await page.locator('#team-token-rows tr', { hasText: 'ci runner' }).locator('.badge.revoked').waitFor();
    expect((await me({ authorization: `Bearer ${teamToken}` })).status).toBe(401);

    // Back: the teams list, with the new team in it.
    await page.goBack();
    await page.waitForURL(`${base}/admin#teams`);
    await page.waitForSelector('#team-list:not([hidden])');
    await page.locator('#team-rows tr', { hasText: 'Blue team' }).waitFor();
    expect(await page.isHidden('#team-detail')).toBe(true);

    // An org admin token: generated (shown once), listed, revoked.
    await open('admin-tokens');
    await page.fill('#admin-token-create input[name="name"]', 'automation');
    await page.click('#admin-token-create button[type="submit"]');
    const adminToken = (await page.locator('#admin-token-secret .secret-value').textContent()) as string;
    expect((await me({ authorization: `Bearer ${adminToken}` })).status).toBe(200);
    const adminRow = page.locator('#admin-token-rows tr', { hasText: 'automation' });
    await adminRow.locator('button.revoke').click();
    await adminRow.locator('.badge.revoked').waitFor();
    expect((await me({ authorization: `Bearer ${adminToken}` })).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });

  it('rotates the signing key and the new kid is in the JWKS', async () => {
    await open('signing-keys');
    const before = await page.$$eval('#signing-key-rows tr', (rows) => rows.map((r) => r.getAttribute('data-kid')));
    expect(before).toHaveLength(1);
    await page.click('#signing-key-rotate');
    await page.waitForSelector('#status:has-text("New signing key")');
    await expect.poll(() => page.locator('#signing-key-rows tr').count()).toBe(2);
    const after = await page.$$eval('#signing-key-rows tr', (rows) => rows.map((r) => r.getAttribute('data-kid')));
    rotatedKid = after.find((kid) => !before.includes(kid)) as string;
    expect(rotatedKid).toBeTruthy();
    expect(await status()).toContain(`New signing key ${rotatedKid} (replaces ${before[0]};`);
    // Published ahead of signing: it waits until every cached JWKS holds it.
    expect(await page.textContent(`#signing-key-rows tr[data-kid="${rotatedKid}"] .badge`)).toBe('pending');
    const jwks = (await (await fetch(`${base}/.well-known/jwks.json`)).json()) as { keys: Array<{ kid: string }> };
    expect(jwks.keys.map((k) => k.kid)).toContain(rotatedKid);
    expect(pageErrors).toEqual([]);
  });

  it("filters the audit log to one key's events, shows names beside ids, and exports exactly that as CSV", async () => {
    // From the key's row to its audit events: the filter is in the address, so Back returns to the keys.
    await open('api-keys');
    await page.click(`#api-key-rows tr[data-id="${apiKeyId}"] a.audit-link`);
    await page.waitForURL(`${base}/admin#audit?target=${apiKeyId}`);
    await page.waitForSelector('section#audit:not([hidden])');
    await expect.poll(() => page.locator('#audit-rows tr').count()).toBe(2);
    expect(await page.inputValue('#audit-filter input[name="target"]')).toBe(apiKeyId);
    await page.goBack();
    await page.waitForSelector('section#api-keys:not([hidden])');
    await page.goForward();
    await page.waitForSelector('section#audit:not([hidden])');
    await page.waitForSelector('body[data-ready="true"]');
    await expect.poll(() => page.locator('#audit-rows tr').count()).toBe(2);
    const kinds = await page.locator('#audit-rows tr td:nth-child(2)').allTextContents();
    // The test clock stands still: both events have the same time, so their order is not asserted.
    expect(kinds.sort()).toEqual(['api_key.created', 'api_key.revoked']);
    const first = page.locator('#audit-rows tr').first();
    // Names beside ids: the actor's e-mail and the key's name; the host once, whatever the socket said.
    expect(await first.locator('td').nth(3).textContent()).toMatch(/^admin@example\.testusr_/);
    expect(await first.locator('td').nth(4).textContent()).toBe(`e2e <b>key</b>${apiKeyId}`);
    expect(await first.locator('td').nth(6).textContent()).toBe('localhost');
    expect(await page.textContent('#audit-count')).toBe('2 events.');

    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#audit-csv')]);
    expect(download.suggestedFilename()).toMatch(/^gatehouse-audit-.+\.csv$/);
    const csv = readFileSync((await download.path()) as string, 'utf8').split('\r\n');
    expect(csv[0]).toBe(
      'id,at,kind,outcome,actor_kind,actor_subject,actor_name,credential_id,org_id,target,target_name,reason,ip,user_agent,details',
    );
    expect(
      csv
        .slice(1, -1)
        .map((line) => line.split(',')[2])
        .sort(),
    ).toEqual(['api_key.created', 'api_key.revoked']);
    expect(csv.slice(1, -1).every((line) => line.includes(`,${apiKeyId},e2e <b>key</b>,`))).toBe(true);
    expect(csv.at(-1)).toBe('');

    // By kind and target: the signing-key rotation, made by the admin in the console.
    await page.fill('#audit-filter input[name="kind"]', 'signing_key.*');
    await page.fill('#audit-filter input[name="target"]', rotatedKid);
    await page.click('#audit-filter button[type="submit"]');
    await expect
      .poll(() => page.locator('#audit-rows tr').allTextContents())
      .toEqual([expect.stringContaining('signing_key.rotated')]);
    // A time range that ends before anything happened matches nothing.
    await page.fill('#audit-filter input[name="until"]', '2000-01-01T00:00:00');
    await page.click('#audit-filter button[type="submit"]');
    await page.locator('#audit-rows td.empty').waitFor();
    expect(page.url()).toBe(
      `${base}/admin#audit?kind=signing_key.*&target=${encodeURIComponent(rotatedKid)}&until=2000-01-01T00%3A00`,
    );
    await page.click('#audit-clear');
    await page.waitForURL(`${base}/admin#audit`);
    await expect.poll(() => page.locator('#audit-rows tr').count()).toBeGreaterThan(5);
    expect(await page.inputValue('#audit-filter input[name="kind"]')).toBe('');
    expect(pageErrors).toEqual([]);
  });

  it('works with the keyboard alone: the skip link, section links, visible focus and a label on every control', async () => {
    await page.goto(`${base}/admin#users`);
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    await page.keyboard.press('Tab');
    expect(await focused('textContent')).toBe('Skip to content');
    await page.keyboard.press('Tab');
    expect(await focused('dataset.section')).toBe('users');
    // Keyboard focus is drawn: a 3px outline.
    expect(await page.evaluate('getComputedStyle(document.activeElement).outlineWidth')).toBe('3px');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    await page.keyboard.press('Tab');
    expect(await focused('dataset.section')).toBe('teams');
    await page.keyboard.press('Enter');
    await page.waitForSelector('section#teams:not([hidden])');
    await expect.poll(() => focused('id')).toBe('teams-title');

    const unlabelled = await page.$$eval('main input, main select, main button, main textarea', (controls) =>
      controls
        .filter((c) => {
          const labelled =
            (c as unknown as { labels?: { length: number } }).labels?.length || c.getAttribute('aria-label');
          const text = c.tagName === 'BUTTON' && c.textContent?.trim();
          return !labelled && !text;
        })
        .map((c) => c.outerHTML),
    );
    expect(unlabelled).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('fits 360 px on every section (no page scroll sideways, a wrapping header, tables scrolling in place) and takes screenshots', async () => {
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      for (const id of [...SECTIONS, 'teams/blue']) {
        await page.goto(`${base}/admin#${id}`);
        await page.waitForSelector('body[data-ready="true"]');
        await page.waitForSelector(`section#${id.split('/')[0]}:not([hidden])`);
        const widths = {
          page: (await page.evaluate('document.documentElement.scrollWidth')) as number,
          header: await page.$eval('header', (el) => el.getBoundingClientRect()),
          account: await page.$eval('.account', (el) => el.getBoundingClientRect()),
        };
        if (viewport === PHONE) {
          expect(widths.page, `#${id} at 360 px`).toBeLessThanOrEqual(360);
          // The user's name and Sign out stay on the header's dark background.
          expect(widths.account.bottom).toBeLessThanOrEqual(widths.header.bottom);
          expect(widths.account.right).toBeLessThanOrEqual(360);
        }
        await page.screenshot({
          path: join(SCREENSHOTS, `${id.replace('/', '-')}-${viewport.width}.png`),
          fullPage: true,
        });
      }
    }
    // A wide table scrolls inside its own container at 360 px.
    await page.goto(`${base}/admin#api-keys`);
    await page.waitForSelector('body[data-ready="true"]');
    const wrap = await page.$eval('#api-keys .table-wrap', (el) => ({
      scroll: el.scrollWidth,
      client: el.clientWidth,
    }));
    expect(wrap.scroll).toBeGreaterThan(wrap.client);
    await page.setViewportSize(DESKTOP);
    expect(pageErrors).toEqual([]);
  });

  it('refreshes an expired session once and retries the call, without leaving the page', async () => {
    await page.goto(`${base}/admin#users`);
    await page.waitForSelector('body[data-ready="true"]');
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
    expect(page.url()).toBe(`${base}/admin#users`);
    const after = await sessionBearer();
    expect(after.authorization).not.toBe(before.authorization);
    expect((await me(after)).status).toBe(200);
    expect(pageErrors).toEqual([]);
  });

  it('gives a signed-in viewer the 403 page, with a sign-out that ends the session', async () => {
    await chromium.context.clearCookies();
    await page.goto(`${base}/admin`);
    await page.fill('#email', 'analyst@example.test');
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url() === `${base}/admin`),
      page.click('#sign-in'),
    ]);
    expect(response.status()).toBe(403);
    expect(await page.textContent('h1')).toBe('No access to the admin console');
    for (const viewport of [DESKTOP, PHONE]) {
      await page.setViewportSize(viewport);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(viewport.width);
      await page.screenshot({ path: join(SCREENSHOTS, `forbidden-${viewport.width}.png`), fullPage: true });
    }
    const session = await sessionBearer();
    expect((await me(session)).status).toBe(200);
    await page.click('#sign-out');
    await page.waitForSelector('#sign-in-again:not([hidden])');
    expect(await page.textContent('#status')).toBe('You are signed out.');
    expect((await chromium.context.cookies(base)).some((c) => c.name === 'access_token')).toBe(false);
    expect((await me(session)).status).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
