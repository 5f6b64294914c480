import { decodeJwt } from 'jose';
import { describe, expect, it } from 'vitest';
import { LOGIN_STATE_COOKIE } from '../../../runtime/src/signin/cookies.js';
import { openLoginStates, sealLoginStates } from '../../../runtime/src/signin/login-state.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { errorBody, ORIGIN, REDIRECT_URI, TestBrowser, useSigninSuite } from './support/signin-harness.js';

const NO_SIGN_IN =
  'No sign-in in progress in this browser (the login cookie is missing, expired or invalid); start again at /auth/login';

describe.each(STORE_DIALECTS)('browser sign-in, authorization code flow (%s)', (dialect) => {
  const suite = useSigninSuite(dialect);

  /** Re-seals the browser's login cookie with some fields changed (tests hold the test KEK). */
  function tamperLoginState(browser: TestBrowser, change: Record<string, unknown>, drop: string[] = []): void {
    const sealed = browser.jar.get(LOGIN_STATE_COOKIE)?.value as string;
    const [state] = openLoginStates(
      suite.app.config.keyEncryptionKey,
      sealed,
      Math.floor(suite.app.clock.now() / 1000),
    );
    const edited: Record<string, unknown> = { ...state, ...change };
    for (const field of drop) delete edited[field];
    browser.jar.set({
      name: LOGIN_STATE_COOKIE,
      path: '/auth',
      value: sealLoginStates(suite.app.config.keyEncryptionKey, [edited as never]),
    });
  }

  it('redirects to the IdP with state, nonce and PKCE S256 bound to a short httpOnly cookie', async () => {
    const browser = new TestBrowser(suite.app);
    const response = await browser.request('/auth/login?return_to=/investigations/42');
    expect(response.status).toBe(302);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const authUrl = new URL(response.headers.get('location') as string);
    expect(`${authUrl.origin}${authUrl.pathname}`).toBe(`${suite.idp.issuer}/auth`);
    const params = Object.fromEntries(authUrl.searchParams);
    expect(params).toMatchObject({
      client_id: 'gatehouse-test',
      response_type: 'code',
      redirect_uri: REDIRECT_URI,
      scope: 'openid profile email',
      code_challenge_method: 'S256',
    });
    expect(params.state).toMatch(/^[\w-]{43}$/);
    expect(params.nonce).toMatch(/^[\w-]{43}$/);
    expect(params.code_challenge).toMatch(/^[\w-]{43}$/);

    const cookie = browser.jar.get(LOGIN_STATE_COOKIE);
    expect(cookie).toMatchObject({ path: '/auth', httpOnly: true, secure: true, sameSite: 'lax', maxAge: 600 });
    // Sealed: neither the verifier nor the nonce is readable from the cookie.
    expect(cookie?.value).not.toContain(params.nonce);
    const bound = openLoginStates(
      suite.app.config.keyEncryptionKey,
      cookie?.value as string,
      suite.app.clock.now() / 1000,
    );
    expect(bound).toHaveLength(1);
    expect(bound[0]).toMatchObject({ state: params.state, nonce: params.nonce, return_to: '/investigations/42' });
  });

  it('passes prompt=login or select_account to the IdP, and refuses any other prompt naming the parameter', async () => {
    const browser = new TestBrowser(suite.app);
    for (const prompt of ['login', 'select_account']) {
      const response = await browser.request(`/auth/login?prompt=${prompt}`, {
        headers: { accept: 'application/json' },
      });
      const { auth_url } = (await response.json()) as { auth_url: string };
      expect(new URL(auth_url).searchParams.get('prompt')).toBe(prompt);
    }
    const plain = await browser.request('/auth/login', { headers: { accept: 'application/json' } });
    expect(new URL(((await plain.json()) as { auth_url: string }).auth_url).searchParams.has('prompt')).toBe(false);
    const refused = await browser.request('/auth/login?prompt=none', { headers: { accept: 'application/json' } });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({
      error: { code: 'invalid_request', message: 'query.prompt: must be login or select_account' },
    });
  });

  it('answers {"auth_url"} to a caller that accepts JSON', async () => {
    const browser = new TestBrowser(suite.app);
    const response = await browser.request('/auth/login', { headers: { accept: 'application/json' } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { auth_url: string };
    expect(body.auth_url.startsWith(`${suite.idp.issuer}/auth?`)).toBe(true);
    // The login cookie binds the very state the JSON answer sends the caller off with.
    const state = new URL(body.auth_url).searchParams.get('state');
    const bound = openLoginStates(
      suite.app.config.keyEncryptionKey,
      browser.jar.get(LOGIN_STATE_COOKIE)?.value as string,
      suite.app.clock.now() / 1000,
    );
    expect(bound.map((login) => login.state)).toEqual([state]);
  });

  it('signs in: exchanges the code, provisions the user, sets the three cookies and lands on return_to', async () => {
    const browser = new TestBrowser(suite.app);
    const response = await browser.signIn('admin@example.test', '/investigations/42?tab=graph');
    expect(response.status).toBe(302);
    expect(response.headers.get('location')).toBe('/investigations/42?tab=graph');

    const set = response.headers.getSetCookie().join('\n');
    expect(set).toMatch(/^access_token=[^;]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/m);
    expect(set).toMatch(/^refresh_token=grt_[\w-]{43}; Max-Age=1209600; Path=\/auth; HttpOnly; Secure; SameSite=Lax$/m);
    expect(set).toMatch(/^token_expiry=\d+; Max-Age=1209600; Path=\/; Secure; SameSite=Lax$/m);
    expect(set).toMatch(/^gatehouse_login=; Max-Age=0; Path=\/auth; HttpOnly; Secure; SameSite=Lax$/m);

    const access = decodeJwt(browser.jar.get('access_token')?.value as string);
    expect(access).toMatchObject({
      auth_kind: 'session',
      client_id: 'gatehouse',
      role: 'admin',
      org_id: 'default',
      iss: 'http://127.0.0.1:8080',
    });
    expect(browser.jar.get('token_expiry')?.value).toBe(String(access.exp));

    const me = await browser.request('/auth/me');
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      role: 'admin',
      auth_kind: 'session',
      org_id: 'default',
      subject: access.sub,
      email: 'admin@example.test',
      name: 'Ada Admin',
      can_write: true,
    });

    const user = await suite.app.store.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', access.sub as string)
      .executeTakeFirst();
    expect(user).toMatchObject({
      issuer: suite.idp.issuer,
      subject: 'dev-admin',
      email: 'admin@example.test',
      role: 'admin',
    });
    expect(user?.last_sign_in_at).toBe(new Date(suite.app.clock.now()).toISOString());
    const audit = await suite.app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'session.sign_in')
      .where('actor_subject', '=', access.sub as string)
      .execute();
    expect(audit).toHaveLength(1);
    expect(audit[0]).toMatchObject({ outcome: 'success', target: access.sub });
    expect(JSON.parse(audit[0]?.details as string)).toMatchObject({ created: true, role: 'admin' });
  });

  it('refuses a callback whose state does not match, before spending the code', async () => {
    const browser = new TestBrowser(suite.app);
    const callback = await browser.authorizeAtIdp(await browser.startLogin('/x'), 'analyst@example.test');
    const forged = new URL(callback);
    forged.searchParams.set('state', 'attacker-chosen-state-value-000000000000000');
    const refused = await browser.callback(forged);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual(
      errorBody(
        'invalid_request',
        "The state parameter does not match this browser's sign-in; start again at /auth/login",
      ),
    );
    expect(browser.jar.get('access_token')).toBeUndefined();

    // The code was never sent to the IdP, and the browser's real sign-in is still pending: the genuine callback works.
    const ok = await browser.callback(callback);
    expect(ok.status).toBe(302);
    expect(ok.headers.get('location')).toBe('/x');
    expect(browser.jar.get(LOGIN_STATE_COOKIE)).toBeUndefined();
  });

  it('keeps sign-ins started in several tabs apart, each single use, the newest three at most', async () => {
    const browser = new TestBrowser(suite.app);
    const first = await browser.startLogin('/tab/1');
    const second = await browser.startLogin('/tab/2');
    const secondCallback = await browser.authorizeAtIdp(second, 'analyst@example.test');
    const firstCallback = await browser.authorizeAtIdp(first, 'analyst@example.test');

    const landedSecond = await browser.callback(secondCallback);
    expect(landedSecond.headers.get('location')).toBe('/tab/2');
    const landedFirst = await browser.callback(firstCallback);
    expect(landedFirst.headers.get('location')).toBe('/tab/1');
    expect(browser.jar.get(LOGIN_STATE_COOKIE)).toBeUndefined();

    const tabs = new TestBrowser(suite.app);
    const oldest = await tabs.startLogin('/oldest');
    for (const path of ['/a', '/b', '/c']) await tabs.startLogin(path);
    const dropped = await tabs.callback(await tabs.authorizeAtIdp(oldest, 'analyst@example.test'));
    expect(dropped.status).toBe(400);
    expect(((await dropped.json()) as { error: { message: string } }).error.message).toBe(
      "The state parameter does not match this browser's sign-in; start again at /auth/login",
    );
  });

  it('refuses a callback without the login cookie', async () => {
    const browser = new TestBrowser(suite.app);
    const callback = await browser.authorizeAtIdp(await browser.startLogin(), 'analyst@example.test');
    browser.jar.delete(LOGIN_STATE_COOKIE);
    const response = await browser.callback(callback);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(errorBody('invalid_request', NO_SIGN_IN));
  });

  it('refuses an ID token whose nonce is not the one bound to the browser', async () => {
    const browser = new TestBrowser(suite.app);
    const callback = await browser.authorizeAtIdp(await browser.startLogin(), 'analyst@example.test');
    tamperLoginState(browser, { nonce: 'a-different-nonce-than-the-one-sent-0000000' });
    const response = await browser.callback(callback);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(
      errorBody('unauthorized', 'The ID token from the identity provider did not validate'),
    );
    expect(browser.jar.get('access_token')).toBeUndefined();
  });

  it('refuses a sign-in whose PKCE verifier is missing (never exchanged) or wrong (the IdP refuses the code)', async () => {
    const missing = new TestBrowser(suite.app);
    const callback = await missing.authorizeAtIdp(await missing.startLogin(), 'analyst@example.test');
    tamperLoginState(missing, {}, ['code_verifier']);
    const refused = await missing.callback(callback);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual(errorBody('invalid_request', NO_SIGN_IN));

    const wrong = new TestBrowser(suite.app);
    const callback2 = await wrong.authorizeAtIdp(await wrong.startLogin(), 'analyst@example.test');
    tamperLoginState(wrong, { code_verifier: 'x'.repeat(43) });
    const rejected = await wrong.callback(callback2);
    expect(rejected.status).toBe(401);
    expect(await rejected.json()).toEqual(
      errorBody(
        'unauthorized',
        'The identity provider rejected the authorization code (invalid_grant); start again at /auth/login',
      ),
    );
  });

  it('refuses a replayed authorization code', async () => {
    const browser = new TestBrowser(suite.app);
    const callback = await browser.authorizeAtIdp(await browser.startLogin(), 'analyst@example.test');
    const before = browser.jar.clone();
    expect((await browser.callback(callback)).status).toBe(302);

    const replay = new TestBrowser(suite.app);
    Object.assign(replay, { jar: before });
    const response = await replay.callback(callback);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(
      errorBody(
        'unauthorized',
        'The identity provider rejected the authorization code (invalid_grant); start again at /auth/login',
      ),
    );
    expect(replay.jar.get('access_token')).toBeUndefined();
  });

  it.each([
    'https://evil.example/',
    '//evil.example/path',
    '/\\evil.example',
    'javascript:alert(1)',
    'http:evil.example',
    '/ok\r\nSet-Cookie: x=1',
  ])('refuses the open-redirect return_to %j', async (returnTo) => {
    const browser = new TestBrowser(suite.app);
    const response = await browser.request(`/auth/login?return_to=${encodeURIComponent(returnTo)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual(
      errorBody(
        'invalid_request',
        'query.return_to: must be a same-origin relative path such as /dashboard (no scheme, host or "//")',
      ),
    );
    expect(browser.jar.get(LOGIN_STATE_COOKIE)).toBeUndefined();
  });

  it('audits refused open redirects at most once a minute per address and logs the refused target', async () => {
    const rows = async () =>
      suite.app.store.db
        .selectFrom('audit_events')
        .select(['outcome', 'reason', 'ip'])
        .where('kind', '=', 'session.open_redirect_refused')
        .execute();
    await expect.poll(async () => (await rows()).length).toBe(1);
    expect((await rows())[0]).toMatchObject({ outcome: 'failure', reason: 'open_redirect' });
    expect(
      suite.app.logs.some((line) => line.msg === 'open redirect refused' && line.return_to === '//evil.example/path'),
    ).toBe(true);

    suite.app.clock.advance(61);
    await new TestBrowser(suite.app).request('/auth/login?return_to=https%3A%2F%2Fevil.example%2F');
    await expect.poll(async () => (await rows()).length).toBe(2);
  });

  it('reports an IdP refusal (access_denied) as 401', async () => {
    const browser = new TestBrowser(suite.app);
    const authUrl = await browser.startLogin();
    const state = authUrl.searchParams.get('state') as string;
    const denied = new URL(REDIRECT_URI);
    denied.search = new URLSearchParams({ error: 'access_denied', state, iss: suite.idp.issuer }).toString();
    const response = await browser.callback(denied);
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual(
      errorBody('unauthorized', 'The identity provider did not complete the sign-in (access_denied)'),
    );
  });

  it('finishes an SPA sign-in with POST /auth/callback {code, state, redirect_uri}', async () => {
    const browser = new TestBrowser(suite.app);
    const started = await browser.request('/auth/login', { headers: { accept: 'application/json' } });
    const { auth_url } = (await started.json()) as { auth_url: string };
    const callback = await browser.authorizeAtIdp(new URL(auth_url), 'analyst@example.test');
    const body = {
      code: callback.searchParams.get('code'),
      state: callback.searchParams.get('state'),
      redirect_uri: REDIRECT_URI,
    };
    const post = (init: { origin?: string; body: unknown }) =>
      browser.request('/auth/callback', {
        method: 'POST',
        origin: init.origin,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(init.body),
      });

    const saved = browser.jar.clone();
    const crossSite = await post({ origin: 'https://evil.example', body });
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toEqual(
      errorBody('forbidden', 'The request Origin is not one of ALLOWED_ORIGINS; cross-site requests are refused'),
    );

    Object.assign(browser, { jar: saved.clone() });
    const wrongUri = await post({ origin: ORIGIN, body: { ...body, redirect_uri: 'http://127.0.0.1:8080/elsewhere' } });
    expect(wrongUri.status).toBe(400);
    expect(await wrongUri.json()).toEqual(
      errorBody('invalid_request', 'body.redirect_uri: must be the redirect_uri this sign-in started with'),
    );

    Object.assign(browser, { jar: saved.clone() });
    const ok = await post({ origin: ORIGIN, body });
    expect(ok.status).toBe(200);
    const result = (await ok.json()) as { user: Record<string, unknown>; token_expiry: number };
    expect(result.user).toMatchObject({ email: 'analyst@example.test', name: 'Alan Analyst', role: 'analyst' });
    expect(result.token_expiry).toBe(Number(browser.jar.get('token_expiry')?.value));
    expect(browser.jar.get('refresh_token')).toMatchObject({ path: '/auth', httpOnly: true });
    expect((await browser.request('/auth/me')).status).toBe(200);
  });
});
