import { afterAll, beforeAll, expect } from 'vitest';
import { type DevOidcProvider, startDevOidcProvider } from '../../../../runtime/src/dev/dev-oidc-provider.js';
import { DEV_USERS, type DevUser } from '../../../../runtime/src/dev/dev-users.js';
import type { StoreDialect } from '../../../../runtime/src/store/store.js';
import { startTestApp, type TestApp } from '../../../support/app.js';
import { CookieJar } from './cookie-jar.js';

/** `PUBLIC_URL` of test apps (test/support/config.ts): the redirect URI the IdP sends browsers back to. */
export const PUBLIC_URL = 'http://127.0.0.1:8080';
export const REDIRECT_URI = `${PUBLIC_URL}/auth/callback`;
/** The default `ALLOWED_ORIGINS` (the origin of `PUBLIC_URL`). */
export const ORIGIN = PUBLIC_URL;
export const CLIENT_ID = 'gatehouse-test';
export const CLIENT_SECRET = 'test-client-secret-0123456789abcdef';

/** Extra IdP accounts for role mapping: several roles (catalog order decides), unknown roles, no roles. */
export const TEST_USERS: readonly DevUser[] = [
  ...DEV_USERS,
  { sub: 'multi', email: 'multi@example.test', name: 'Multi Role', roles: ['viewer', 'admin'] },
  { sub: 'unknown-role', email: 'stranger@example.test', name: 'Stranger', roles: ['superuser'] },
  { sub: 'no-roles', email: 'plain@example.test', name: 'Plain User', roles: [] },
  { sub: 'viewer', email: 'viewer@example.test', name: 'Vera Viewer', roles: ['viewer'] },
];

/** The in-process IdP every sign-in test file shares (one per file). */
export function startTestIdp(extraRedirectUris: readonly string[] = []): Promise<DevOidcProvider> {
  return startDevOidcProvider({
    nodeEnv: 'test',
    clientId: CLIENT_ID,
    clientSecret: CLIENT_SECRET,
    redirectUris: [REDIRECT_URI, ...extraRedirectUris],
    users: TEST_USERS,
  });
}

export function signinEnv(idp: DevOidcProvider): Record<string, string> {
  return { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: CLIENT_ID, OIDC_CLIENT_SECRET: CLIENT_SECRET };
}

/** The IdP and the runtime a sign-in test file shares, started before its tests and closed after them. */
export interface SigninSuite {
  readonly idp: DevOidcProvider;
  readonly app: TestApp;
}

/** Registers the hooks that start (`beforeAll`) and close (`afterAll`) a `SigninSuite` on `dialect`. */
export function useSigninSuite(dialect: StoreDialect, env: Record<string, string> = {}): SigninSuite {
  const suite = {} as { idp: DevOidcProvider; app: TestApp };
  beforeAll(async () => {
    suite.idp = await startTestIdp();
    suite.app = await startSigninApp(dialect, suite.idp, env);
  });
  afterAll(async () => {
    await suite.app?.close();
    await suite.idp?.close();
  });
  return suite;
}

export function startSigninApp(dialect: StoreDialect, idp: DevOidcProvider, env: Record<string, string> = {}) {
  return startTestApp({ dialect, env: { ...signinEnv(idp), ...env } });
}

/** A browser, reduced to what the flow needs: one cookie jar for the runtime and one for the IdP. */
export class TestBrowser {
  readonly app: TestApp;
  readonly jar = new CookieJar();
  readonly idpJar = new CookieJar();

  constructor(app: TestApp) {
    this.app = app;
  }

  /** A request to the runtime with this browser's cookies (and `Origin` when given); never follows redirects. */
  async request(path: string, init: RequestInit & { origin?: string | null } = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    const cookie = this.jar.header(path.split('?')[0] as string);
    if (cookie) headers.set('cookie', cookie);
    if (init.origin) headers.set('origin', init.origin);
    const response = await fetch(`${this.app.baseUrl}${path}`, { ...init, headers, redirect: 'manual' });
    this.jar.store(response);
    return response;
  }

  /** `GET /auth/login?return_to=...`: the IdP authorization URL the runtime redirects to. */
  async startLogin(returnTo = '/'): Promise<URL> {
    const response = await this.request(`/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(302);
    return new URL(response.headers.get('location') as string);
  }

  /**
   * Signs in at the IdP's login page as `email` and returns where the IdP sends the browser back to (the redirect URI
   * with `code`, `state` and `iss`).
   */
  async authorizeAtIdp(authUrl: URL, email: string): Promise<URL> {
    let url = authUrl;
    for (let hop = 0; hop < 10; hop++) {
      const loginForm = /^\/interaction\/[\w-]+$/.test(url.pathname);
      const response = await this.#idpRequest(
        loginForm ? new URL(`${url.pathname}/login`, url) : url,
        loginForm ? new URLSearchParams({ email }) : undefined,
      );
      const location = response.headers.get('location');
      if (!location) {
        throw new Error(
          `IdP answered ${response.status} without a redirect at ${url.pathname}: ${await response.text()}`,
        );
      }
      url = new URL(location, url);
      if (url.href.startsWith(REDIRECT_URI) || !url.href.startsWith(authUrl.origin)) return url;
    }
    throw new Error('Too many IdP redirects');
  }

  /** Follows the IdP's redirect back to the runtime (`GET /auth/callback?...`). */
  callback(callbackUrl: URL): Promise<Response> {
    return this.request(`${callbackUrl.pathname}${callbackUrl.search}`);
  }

  /** The whole browser flow: login, IdP sign-in, callback. Returns the callback response (302 to return_to). */
  async signIn(email: string, returnTo = '/'): Promise<Response> {
    const authUrl = await this.startLogin(returnTo);
    return this.callback(await this.authorizeAtIdp(authUrl, email));
  }

  async #idpRequest(url: URL, form?: URLSearchParams): Promise<Response> {
    const headers = new Headers();
    const cookie = this.idpJar.header(url.pathname);
    if (cookie) headers.set('cookie', cookie);
    const response = await fetch(url, {
      method: form ? 'POST' : 'GET',
      headers,
      body: form,
      redirect: 'manual',
    });
    this.idpJar.store(response);
    return response;
  }
}

/** The contract's error body. */
export const errorBody = (code: string, message: string) => ({ error: { code, message } });
