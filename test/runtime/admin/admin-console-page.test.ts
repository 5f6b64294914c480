import { Script } from 'node:vm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLOCK_SKEW_SECONDS } from '../../../runtime/src/keys/key-ring.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { TestBrowser, useSigninSuite } from '../signin/support/signin-harness.js';

const LOGIN = '/auth/login?return_to=/admin';

/** The headers every console response carries (page, 403 page, assets). */
function expectConsoleSecurityHeaders(response: Response): void {
  const csp = response.headers.get('content-security-policy') ?? '';
  const directives = new Map(
    csp.split(';').map((d) => {
      const [name = '', ...values] = d.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  expect(directives.get('default-src')).toBe("'self'");
  expect(directives.get('script-src')).toBe("'self'");
  expect(directives.get('style-src')).toBe("'self'");
  expect(directives.get('connect-src')).toBe("'self'");
  expect(directives.get('object-src')).toBe("'none'");
  expect(directives.get('base-uri')).toBe("'none'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  expect(directives.get('require-trusted-types-for')).toBe("'script'");
  expect(csp).not.toMatch(/unsafe-inline|unsafe-eval|https?:|\*/);
  expect(response.headers.get('x-frame-options')).toBe('DENY');
  expect(response.headers.get('x-content-type-options')).toBe('nosniff');
}

describe.each(STORE_DIALECTS)('GET /admin (%s)', (dialect) => {
  const suite = useSigninSuite(dialect);

  async function signedIn(email: string): Promise<TestBrowser> {
    const browser = new TestBrowser(suite.app);
    const callback = await browser.signIn(email, '/admin');
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('/admin');
    return browser;
  }

  it('redirects a browser without a session to sign-in, which accepts /admin as the place to come back to', async () => {
    const browser = new TestBrowser(suite.app);
    const response = await browser.request('/admin');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(LOGIN);
    expect(response.headers.get('cache-control')).toBe('no-store');

    const login = await browser.request(LOGIN);
    expect(login.status).toBe(302);
    expect(new URL(login.headers.get('location') as string).origin).toBe(suite.idp.issuer.replace(/\/$/, ''));
  });

  it('sends an invalid session cookie to sign-in', async () => {
    const browser = new TestBrowser(suite.app);
    browser.jar.set({ name: 'access_token', value: 'not-a-token' });
    const response = await browser.request('/admin');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(LOGIN);
  });

  it("serves no page to a Bearer token or an API key, even an admin's: the console is for browser sessions", async () => {
    const admin = await signedIn('admin@example.test');
    const token = admin.jar.get('access_token')?.value as string;
    const asBearer = await fetch(`${suite.app.baseUrl}/admin`, {
      headers: { authorization: `Bearer ${token}` },
      redirect: 'manual',
    });
    expect(asBearer.status).toBe(302);
    expect(asBearer.headers.get('location')).toBe(LOGIN);

    const created = await admin.request('/api/v1/api-keys', {
      method: 'POST',
      origin: suite.app.config.publicUrl,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'page probe', scopes: ['api_keys:manage'] }),
    });
    expect(created.status).toBe(201);
    const { api_key } = (await created.json()) as { api_key: string };
    const withKey = await fetch(`${suite.app.baseUrl}/admin`, {
      headers: { 'x-api-key': api_key },
      redirect: 'manual',
    });
    expect(withKey.status).toBe(302);
  });

  it('answers a signed-in viewer with a 403 HTML page naming the account and what the console needs', async () => {
    const viewer = await signedIn('viewer@example.test');
    const response = await viewer.request('/admin');
    expect(response.status).toBe(403);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expectConsoleSecurityHeaders(response);
    const html = await response.text();
    expect(html).toContain('<h1>No access to the admin console</h1>');
    expect(html).toContain('<strong>viewer@example.test</strong> with the role <strong>viewer</strong>');
    expect(html).toContain('<code>users:manage</code>, <code>api_keys:manage</code>');
    // A way out: the console's script signs out (a POST), then offers to sign in again.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/admin/assets/admin.js" defer>']);
    expect(html).toContain('<button id="sign-out" type="button">Sign out</button>');
    expect(html).toContain('<a id="sign-in-again" href="/auth/login?return_to=/admin&amp;prompt=login" hidden>');
  });

  it('answers a signed-in analyst (product scopes only) with the 403 page too', async () => {
    const analyst = await signedIn('analyst@example.test');
    expect((await analyst.request('/admin')).status).toBe(403);
  });

  it('serves the console to an admin session: static HTML, external script only, strict CSP, no framing or caching', async () => {
    const admin = await signedIn('admin@example.test');
    const response = await admin.request('/admin');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-store');
    expectConsoleSecurityHeaders(response);
    const html = await response.text();
    // Every script is an external same-origin file (CSP refuses inline ones anyway); no inline styles either.
    expect(html.match(/<script[^>]*>/g)).toEqual(['<script src="/admin/assets/admin.js" defer>']);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<link rel="stylesheet" href="/admin/assets/admin.css">');
    // The page carries no user data: the catalog's roles and scopes, and each section's permission.
    expect(html).not.toContain('admin@example.test');
    expect(html).toContain('data-roles="admin analyst viewer operator api_service"');
    expect(html).toContain(
      'data-scopes="investigations:read investigations:write incidents:read search:read graph:read"',
    );
    for (const [id, permission] of [
      ['users', 'users:manage'],
      ['api-keys', 'api_keys:manage'],
      ['clients', 'clients:manage'],
      ['teams', 'tokens:manage'],
      ['admin-tokens', 'tokens:manage'],
      ['signing-keys', 'keys:rotate'],
      ['audit', 'audit:read'],
    ]) {
      expect(html).toContain(
        `<section id="${id}" data-permission="${permission}" aria-labelledby="${id}-title" hidden>`,
      );
    }
    // Every table scrolls in its own labelled container; every form control has a label.
    expect(html.match(/<table>/g)?.length).toBe(
      html.match(/<div class="table-wrap" role="region" aria-label="[^"]+" tabindex="0">\n<table>/g)?.length,
    );
  });

  it('serves the script, the styles and the icon (also at /favicon.ico) with their types, the CSP and an ETag', async () => {
    for (const [path, type] of [
      ['/admin/assets/admin.js', 'text/javascript; charset=utf-8'],
      ['/admin/assets/admin.css', 'text/css; charset=utf-8'],
      ['/admin/assets/favicon.svg', 'image/svg+xml; charset=utf-8'],
      ['/favicon.ico', 'image/svg+xml; charset=utf-8'],
    ] as const) {
      const response = await fetch(`${suite.app.baseUrl}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe(type);
      expect(response.headers.get('cache-control')).toBe('no-cache');
      expectConsoleSecurityHeaders(response);
      const etag = response.headers.get('etag') as string;
      expect(etag).toMatch(/^"[A-Za-z0-9_-]{43}"$/);
      const body = await response.text();
      if (path.endsWith('.js')) {
        // Parses as a classic script (what the browser loads); rendering never goes through innerHTML.
        expect(() => new Script(body)).not.toThrow();
        expect(body.startsWith('"use strict";')).toBe(true);
        expect(body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(/);
      }
      const again = await fetch(`${suite.app.baseUrl}${path}`, { headers: { 'if-none-match': etag } });
      expect(again.status).toBe(304);
      expect(await again.text()).toBe('');
    }
  });

  it('sends a session whose access token expired to sign-in', async () => {
    const admin = await signedIn('admin@example.test');
    // Past the token's exp and the verifier's clock-skew tolerance.
    suite.app.clock.advance(suite.app.config.accessTokenTtlSeconds + CLOCK_SKEW_SECONDS + 1);
    const response = await admin.request('/admin');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe(LOGIN);
  });
});

describe('GET /admin without browser sign-in configured', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite' });
  });
  afterAll(() => app?.close());

  it('answers 404 with a page saying the console needs OIDC_ISSUER, instead of redirecting to a missing /auth/login', async () => {
    const response = await fetch(`${app.baseUrl}/admin`, { redirect: 'manual' });
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expectConsoleSecurityHeaders(response);
    expect(await response.text()).toContain('<h1>Browser sign-in is not configured</h1>');
  });
});
