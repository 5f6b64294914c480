import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevOidcProvider } from '../../../runtime/src/dev/dev-oidc-provider.js';
import { type DevSession, runDev } from '../../../runtime/src/dev/run-dev.js';
import type { TestApp } from '../../support/app.js';
import { startTestApp } from '../../support/app.js';
import { freePort } from '../../support/free-port.js';
import { CookieJar } from './support/cookie-jar.js';
import { TestBrowser } from './support/signin-harness.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, io: { stdout: (t: string) => out.push(t), stderr: (t: string) => err.push(t) } };
}

describe('npm run dev (runtime on SQLite + local OIDC provider)', () => {
  let session: DevSession;
  let output: ReturnType<typeof capture>;
  let dataDir: string;
  let port: number;
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-dev-'));
    port = await freePort();
    output = capture();
    const started = await runDev({
      env: { PORT: String(port), DEV_IDP_PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'silent' },
      ...output.io,
    });
    if (typeof started === 'number') throw new Error(`runDev exited with ${started}: ${output.err.join('')}`);
    session = started;
  });
  afterAll(async () => {
    await session?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints the URLs a newcomer needs and uses SQLite in DATA_DIR', () => {
    const text = output.out.join('');
    const base = `http://localhost:${port}`;
    expect(text).toContain(`runtime     ${base}   (SQLite ${join(dataDir, 'gatehouse.db')})`);
    expect(text).toContain(`sign in     ${base}/auth/login?return_to=/auth/me`);
    expect(text).toContain(
      `local IdP   ${session.idp?.issuer}   accounts: admin@example.test (admin), analyst@example.test (analyst)`,
    );
    expect(session.idp?.issuer).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  });

  it('signs the seeded admin in through the local IdP', async () => {
    const browser = new TestBrowser({ baseUrl: `http://127.0.0.1:${port}` } as TestApp);
    const authUrl = await browser.startLogin('/auth/me');
    expect(authUrl.origin).toBe(session.idp?.issuer);
    // The login page lists the seeded accounts.
    const page = await loginPage(authUrl);
    expect(page).toContain('<form method="post" action="/interaction/');
    expect(page).toContain('Ada Admin &lt;admin@example.test&gt; — roles: admin');

    const callback = await browser.authorizeAtIdp(authUrl, 'admin@example.test');
    expect(callback.href.startsWith(`http://localhost:${port}/auth/callback?`)).toBe(true);
    const landed = await browser.callback(callback);
    expect(landed.status).toBe(302);
    expect(landed.headers.get('location')).toBe('/auth/me');
    const me = await browser.request('/auth/me');
    expect(await me.json()).toMatchObject({ role: 'admin', email: 'admin@example.test', auth_kind: 'session' });
  });

  /** The IdP's login page for a fresh authorization request, as a browser would render it. */
  async function loginPage(authUrl: URL): Promise<string> {
    const jar = new CookieJar();
    const authorize = await fetch(authUrl, { redirect: 'manual' });
    jar.store(authorize);
    const pageUrl = new URL(authorize.headers.get('location') as string, authUrl);
    const page = await fetch(pageUrl, { headers: { cookie: jar.header(pageUrl.pathname) ?? '' } });
    expect(page.status).toBe(200);
    return page.text();
  }
});

describe('the local OIDC provider never runs in production', () => {
  it('npm run dev refuses NODE_ENV=production', async () => {
    const { err, io } = capture();
    expect(await runDev({ env: { NODE_ENV: 'production' }, ...io })).toBe(2);
    expect(err.join('')).toContain('npm run dev refuses NODE_ENV=production');
  });

  it('the provider refuses production and non-loopback interfaces', async () => {
    const base = { clientId: 'c', clientSecret: 's', redirectUris: ['http://localhost/auth/callback'] };
    await expect(startDevOidcProvider({ ...base, nodeEnv: 'production' })).rejects.toThrow(
      'The local development OIDC provider never runs with NODE_ENV=production; configure a real IdP',
    );
    await expect(startDevOidcProvider({ ...base, nodeEnv: 'development', host: '0.0.0.0' })).rejects.toThrow(
      'The local development OIDC provider binds loopback only, not 0.0.0.0',
    );
  });

  it('gatehouse serve refuses a loopback development issuer when NODE_ENV=production', async () => {
    let app: TestApp | undefined;
    const start = startTestApp({
      dialect: 'sqlite',
      env: { NODE_ENV: 'production', OIDC_ISSUER: 'http://127.0.0.1:8081', OIDC_CLIENT_ID: 'gatehouse-dev' },
    }).then((started) => {
      app = started;
    });
    await expect(start).rejects.toThrow(
      'OIDC_ISSUER http://127.0.0.1:8081 is a local development identity provider; NODE_ENV=production requires an https issuer',
    );
    await app?.close();
  });
});
