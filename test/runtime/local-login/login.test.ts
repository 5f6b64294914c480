import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ConfigError } from '../../../runtime/src/config.js';
import type { LocalLogin } from '../../../runtime/src/local-login/local-login.js';
import { PasswordHasher } from '../../../runtime/src/local-login/password-hash.js';
import { type StartTestAppOptions, startTestApp, type TestApp } from '../../support/app.js';
import { testConfig } from '../../support/config.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, eventually, randomIp } from '../auth/helpers.js';

const PATH = '/api/v1/auth/token';
const PASSWORD = 'violet-anchor-tundra-42';
const WRONG = 'quiet-harbour-lantern-77';
const REFUSED = { error: { code: 'unauthorized', message: 'Invalid username or password' } };
const MAX_FAILURES = 3;
const LOCKOUT_SECONDS = 900;
const ADDRESS_LIMIT = 6;

const login = (app: TestApp, body: unknown, options: { ip?: string; query?: string; origin?: string } = {}) =>
  call(app, `${PATH}${options.query ?? ''}`, {
    method: 'POST',
    body,
    ip: options.ip,
    headers: options.origin ? { Origin: options.origin } : {},
  });

/** The app's local login (the suite starts every app with LOCAL_LOGIN_ENABLED=true). */
function localLoginOf(app: TestApp): LocalLogin {
  const login = app.services.localLogin;
  if (!login) throw new Error('This app was started without LOCAL_LOGIN_ENABLED=true');
  return login;
}

/** A local account as `gatehouse local-user add` makes it. */
async function addAccount(app: TestApp, email: string, role: string, password = PASSWORD): Promise<string> {
  const user = await localLoginOf(app).users.create({
    email,
    role,
    passwordHash: await new PasswordHasher().hash(password),
  });
  return user.id;
}

function startApp(dialect: StartTestAppOptions['dialect'], env: Record<string, string> = {}) {
  return startTestApp({
    dialect,
    env: {
      LOCAL_LOGIN_ENABLED: 'true',
      LOCAL_LOGIN_MAX_FAILURES: String(MAX_FAILURES),
      LOCAL_LOGIN_LOCKOUT_SECONDS: String(LOCKOUT_SECONDS),
      AUTH_FAILURE_LIMIT: String(ADDRESS_LIMIT),
      ...env,
    },
  });
}

describe.each(STORE_DIALECTS)('POST /api/v1/auth/token on %s', (dialect) => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startApp(dialect);
    await addAccount(app, 'admin@example.com', 'admin');
    await addAccount(app, 'viewer@example.com', 'viewer');
  });

  afterAll(async () => {
    await app?.close();
  });

  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('answers the access token of the account, which /auth/me reads with the account role', async () => {
    const res = await login(app, { username: ' Viewer@Example.com ', password: PASSWORD });
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('set-cookie')).toBeNull();
    const body = (await res.json()) as { access_token: string; token_type: string; expires_in: number };
    expect(body).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 1800 });

    const me = await call(app, '/auth/me', { bearer: body.access_token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      role: 'viewer',
      auth_kind: 'session',
      email: 'viewer@example.com',
      org_id: 'default',
      can_write: false,
    });
    const admin = await login(app, { username: 'admin@example.com', password: PASSWORD });
    const adminMe = await call(app, '/auth/me', {
      bearer: ((await admin.json()) as { access_token: string }).access_token,
    });
    expect(await adminMe.json()).toMatchObject({ role: 'admin', can_write: true });
  });

  it('with ?cookies=true sets the session cookies of browser sign-in, and the refresh cookie refreshes', async () => {
    const origin = new URL(app.config.publicUrl).origin;
    const res = await login(
      app,
      { username: 'viewer@example.com', password: PASSWORD },
      { query: '?cookies=true', origin },
    );
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    expect(cookies).toEqual([
      expect.stringMatching(/^access_token=[^;]+; Max-Age=1800; Path=\/; HttpOnly; Secure; SameSite=Lax$/),
      expect.stringMatching(/^refresh_token=grt_[^;]+; Max-Age=\d+; Path=\/auth; HttpOnly; Secure; SameSite=Lax$/),
      expect.stringMatching(/^token_expiry=\d+; Max-Age=\d+; Path=\/; Secure; SameSite=Lax$/),
    ]);
    const refreshCookie = String(cookies[1]).split(';')[0];
    const refreshed = await call(app, '/auth/refresh', {
      method: 'POST',
      headers: { Cookie: String(refreshCookie), Origin: origin },
    });
    expect(refreshed.status).toBe(200);
    expect(refreshed.headers.getSetCookie()).toHaveLength(3);

    // A cookie-setting login from a foreign origin is refused before any password is checked.
    const verify = vi.spyOn(localLoginOf(app).hasher, 'verify');
    const foreign = await login(
      app,
      { username: 'viewer@example.com', password: PASSWORD },
      { query: '?cookies=true', origin: 'https://evil.example' },
    );
    expect(foreign.status).toBe(403);
    expect(verify).not.toHaveBeenCalled();
  });

  it('answers a wrong password and an unknown username alike, each after one argon2 verification', async () => {
    const verify = vi.spyOn(localLoginOf(app).hasher, 'verify');
    const wrong = await login(app, { username: 'admin@example.com', password: WRONG });
    const unknown = await login(app, { username: 'nobody@example.com', password: WRONG });
    expect([wrong.status, unknown.status]).toEqual([401, 401]);
    const bodies = [await wrong.text(), await unknown.text()];
    expect(bodies[0]).toBe(bodies[1]);
    expect(JSON.parse(String(bodies[0]))).toEqual(REFUSED);
    expect([...wrong.headers.keys()].sort()).toEqual([...unknown.headers.keys()].sort());
    expect(verify).toHaveBeenCalledTimes(2);
    const [[accountHash, first], [dummyHash, second]] = verify.mock.calls as [string, string][];
    expect([first, second]).toEqual([WRONG, WRONG]);
    expect(accountHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(dummyHash).toMatch(/^\$argon2id\$v=19\$m=19456,p=1,t=2\$/);
    expect(dummyHash).not.toBe(accountHash);
  });

  it('locks a username after N failures in a row (429, Retry-After), until the window has passed', async () => {
    await addAccount(app, 'locked@example.com', 'analyst');
    const attempt = (username: string, password: string) => login(app, { username, password }, { ip: randomIp() });
    for (let i = 1; i < MAX_FAILURES; i++) expect((await attempt('locked@example.com', WRONG)).status).toBe(401);
    const locking = await attempt('locked@example.com', WRONG);
    expect(locking.status).toBe(429);
    expect(locking.headers.get('retry-after')).toBe(String(LOCKOUT_SECONDS));
    expect((await locking.json()) as unknown).toEqual({
      error: { code: 'rate_limited', message: 'Too many failed logins for this username; retry later' },
    });

    // Even the right password waits, without a password check.
    const verify = vi.spyOn(localLoginOf(app).hasher, 'verify');
    app.clock.advance(LOCKOUT_SECONDS - 60);
    const waiting = await attempt('LOCKED@example.com', PASSWORD);
    expect(waiting.status).toBe(429);
    expect(waiting.headers.get('retry-after')).toBe('60');
    expect(verify).not.toHaveBeenCalled();

    app.clock.advance(60);
    expect((await attempt('locked@example.com', PASSWORD)).status).toBe(200);
    // A success clears the count: N-1 more failures do not lock.
    for (let i = 1; i < MAX_FAILURES; i++) expect((await attempt('locked@example.com', WRONG)).status).toBe(401);
    expect((await attempt('locked@example.com', PASSWORD)).status).toBe(200);
  });

  it('locks an unknown username the same way, so a lock tells nothing about which accounts exist', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < MAX_FAILURES + 1; i++) {
      statuses.push((await login(app, { username: 'ghost@example.com', password: WRONG }, { ip: randomIp() })).status);
    }
    expect(statuses).toEqual([401, 401, 429, 429]);
  });

  it(`answers 429 to an address after ${ADDRESS_LIMIT} failures, whatever the usernames, even for a right password`, async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let i = 0; i <= ADDRESS_LIMIT; i++) {
      statuses.push((await login(app, { username: `spray-${i}@example.com`, password: WRONG }, { ip })).status);
    }
    expect(statuses).toEqual([...Array(ADDRESS_LIMIT).fill(401), 429]);
    const blocked = await login(app, { username: 'admin@example.com', password: PASSWORD }, { ip });
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThan(0);
    // Refused before any check: audited, at most once a minute per address.
    await login(app, { username: 'admin@example.com', password: PASSWORD }, { ip });
    const refusals = () =>
      app.store.db
        .selectFrom('audit_events')
        .select(['outcome', 'reason', 'target'])
        .where('kind', '=', 'local_login')
        .where('ip', '=', ip)
        .where('reason', '=', 'rate_limited')
        .execute();
    await eventually(async () => (await refusals()).length > 0);
    expect(await refusals()).toEqual([{ outcome: 'failure', reason: 'rate_limited', target: null }]);
    expect((await login(app, { username: 'admin@example.com', password: PASSWORD })).status).toBe(200);
  });

  it('refuses a disabled account with the same 401, and audits why', async () => {
    const id = await addAccount(app, 'gone@example.com', 'admin');
    await localLoginOf(app).users.disable('gone@example.com');
    const res = await login(app, { username: 'gone@example.com', password: PASSWORD });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(REFUSED);
    const row = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'local_login')
      .where('target', '=', id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({ outcome: 'failure', reason: 'disabled', actor_kind: null });
  });

  it('audits every checked attempt, success and failure, with the reason and never the password', async () => {
    const id = await addAccount(app, 'audited@example.com', 'operator');
    const ip = randomIp();
    await login(app, { username: 'audited@example.com', password: WRONG }, { ip });
    await login(app, { username: 'typo-in-name@example.com', password: WRONG }, { ip });
    await login(app, { username: 'audited@example.com', password: PASSWORD }, { ip });
    const rows = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'local_login')
      .where('ip', '=', ip)
      .orderBy('at')
      .orderBy('id')
      .execute();
    const summary = rows.map((row) => ({
      outcome: row.outcome,
      reason: row.reason,
      target: row.target,
      actor: row.actor_subject,
    }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { outcome: 'failure', reason: 'bad_password', target: id, actor: null },
        { outcome: 'failure', reason: 'unknown_user', target: null, actor: null },
        { outcome: 'success', reason: null, target: id, actor: id },
      ]),
    );
    expect(rows).toHaveLength(3);
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(PASSWORD);
    expect(stored).not.toContain(WRONG);
    expect(stored).not.toContain('typo-in-name');
    expect(JSON.stringify(app.logs)).not.toContain(PASSWORD);
    expect(JSON.stringify(app.logs)).not.toContain(WRONG);
  });

  it('answers bad input with 400 naming the field, never echoing the password', async () => {
    const cases: Array<[unknown, string]> = [
      [{ password: PASSWORD }, 'body.username: required'],
      [{ username: 'admin@example.com' }, 'body.password: required'],
      [{ username: 'admin@example.com', password: 12345678901234 }, 'body.password: must be a string'],
      [{ username: ['admin@example.com'], password: PASSWORD }, 'body.username: must be a string'],
      [{ username: '', password: PASSWORD }, 'body.username: must not be empty'],
      [{ username: 'admin@example.com', password: 'x'.repeat(257) }, 'body.password: must be at most 256 characters'],
      [
        { username: 'admin@example.com', password: 'x'.repeat(5000) },
        'The request body is larger than the limit of 4096 bytes',
      ],
    ];
    for (const [body, message] of cases) {
      const res = await login(app, body);
      const text = await res.text();
      expect({ status: res.status, body: JSON.parse(text) }).toEqual({
        status: 400,
        body: { error: { code: 'invalid_request', message } },
      });
      expect(text).not.toContain(PASSWORD);
    }
    const notJson = await fetch(`${app.baseUrl}${PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body: `username=admin@example.com&password=${PASSWORD}`,
    });
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request body must be JSON sent with Content-Type: application/json',
      },
    });
    const noBody = await fetch(`${app.baseUrl}${PATH}`, { method: 'POST' });
    expect(await noBody.json()).toEqual({
      error: { code: 'invalid_request', message: 'body: required, a JSON object {"username","password"}' },
    });
    const malformed = await fetch(`${app.baseUrl}${PATH}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: `{"username":"admin@example.com","password":"${PASSWORD}"`,
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.text()).not.toContain(PASSWORD);
    const query = await login(app, { username: 'admin@example.com', password: PASSWORD }, { query: '?cookies=yes' });
    expect(query.status).toBe(400);
    expect(JSON.stringify(app.logs)).not.toContain(PASSWORD);
  });

  it('is described in /openapi.json with its request and response schemas', async () => {
    const doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, { requestBody: unknown; responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, { properties: Record<string, unknown>; required: string[] }> };
    };
    const operation = doc.paths[PATH]?.post;
    expect(operation?.requestBody).toMatchObject({
      required: true,
      content: { 'application/json': { schema: { $ref: '#/components/schemas/LocalLoginRequest' } } },
    });
    expect(Object.keys(operation?.responses ?? {}).sort()).toEqual(['200', '400', '401', '403', '429']);
    expect(doc.components.schemas.LocalLoginRequest?.required).toEqual(['username', 'password']);
    expect(Object.keys(doc.components.schemas.LocalLoginResult?.properties ?? {})).toEqual([
      'access_token',
      'token_type',
      'expires_in',
    ]);
  });
});

describe('POST /api/v1/auth/token when LOCAL_LOGIN_ENABLED is not true', () => {
  let app: TestApp;

  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite' });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('does not exist: 404 like any unknown route, and absent from /openapi.json', async () => {
    const res = await login(app, { username: 'admin@example.com', password: PASSWORD });
    const unknown = await call(app, '/api/v1/auth/no-such-route', { method: 'POST', body: {} });
    expect([res.status, unknown.status]).toEqual([404, 404]);
    const body = await res.json();
    expect(body).toEqual({ error: { code: 'not_found', message: 'No such endpoint' } });
    expect(await unknown.json()).toEqual(body);
    const doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as { paths: Record<string, unknown> };
    expect(doc.paths[PATH]).toBeUndefined();
    expect(app.config.localLogin).toEqual({ enabled: false, maxFailures: 5, lockoutSeconds: 900 });
  });
});

describe('LOCAL_LOGIN_* settings', () => {
  it('reads the switch and the lockout, and refuses values out of range, naming each', () => {
    expect(
      testConfig({ LOCAL_LOGIN_ENABLED: 'TRUE', LOCAL_LOGIN_MAX_FAILURES: '10', LOCAL_LOGIN_LOCKOUT_SECONDS: '60' })
        .localLogin,
    ).toEqual({ enabled: true, maxFailures: 10, lockoutSeconds: 60 });
    let problems: readonly string[] = [];
    try {
      testConfig({ LOCAL_LOGIN_ENABLED: 'yes', LOCAL_LOGIN_MAX_FAILURES: '0', LOCAL_LOGIN_LOCKOUT_SECONDS: '-1' });
    } catch (error) {
      problems = (error as ConfigError).problems;
    }
    expect(problems).toEqual([
      'LOCAL_LOGIN_ENABLED must be true or false (default false)',
      'LOCAL_LOGIN_MAX_FAILURES must be an integer from 1 to 100 (default 5)',
      'LOCAL_LOGIN_LOCKOUT_SECONDS must be an integer from 1 to 86400 (default 900)',
    ]);
  });
});
