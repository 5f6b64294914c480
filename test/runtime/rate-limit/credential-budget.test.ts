import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KEY_ID_LENGTH } from '../../../runtime/src/credentials/api-key-format.js';
import { newId } from '../../../runtime/src/ids.js';
import { redisReady } from '../../../runtime/src/rate-limit/redis-connection.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { useAppWithAdmin, useTwoReplicasWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call, createKey, eventually } from '../auth/helpers.js';
import { issueTicket, redeem } from '../ws-ticket/helpers.js';

/** The 429 body of a credential over its budget of `limit` a minute. */
const overBudget = (limit: number) => ({
  error: {
    code: 'rate_limited',
    message: `The credential's request budget (${limit} per 60 seconds) is used up; retry later`,
  },
});

/** Seconds until the window ends, as `RateLimit` says it: `"default";r=<remaining>;t=<seconds>`. */
function budgetOf(res: Response): { policy: string | null; remaining: number; reset: number } {
  const header = res.headers.get('ratelimit') ?? '';
  const match = /^"default";r=(\d+);t=(\d+)$/.exec(header);
  if (!match) throw new Error(`RateLimit is not "default";r=<n>;t=<n>: ${JSON.stringify(header)}`);
  return { policy: res.headers.get('ratelimit-policy'), remaining: Number(match[1]), reset: Number(match[2]) };
}

/** Asserts a 429 over a budget of `limit`, with Retry-After equal to the window's reset and both headers. */
async function expectOverBudget(res: Response, limit: number): Promise<void> {
  expect(res.status).toBe(429);
  expect(await res.json()).toEqual(overBudget(limit));
  const { policy, remaining, reset } = budgetOf(res);
  expect(policy).toBe(`"default";q=${limit};w=60`);
  expect(remaining).toBe(0);
  expect(reset).toBeGreaterThanOrEqual(1);
  expect(reset).toBeLessThanOrEqual(60);
  expect(res.headers.get('retry-after')).toBe(String(reset));
}

/** Makes the admin key unlimited, so a suite's own management calls never run out of budget. */
async function unlimited(app: TestApp, admin: string): Promise<void> {
  const keyId = admin.slice('sk_test_'.length, 'sk_test_'.length + KEY_ID_LENGTH);
  const res = await call(app, `/api/v1/api-keys/${keyId}`, {
    apiKey: admin,
    method: 'PATCH',
    body: { rate_limit_per_minute: 0 },
  });
  expect(res.status).toBe(200);
}

describe.each(STORE_DIALECTS)('request budgets per credential on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect, {
    env: {
      RATE_LIMIT_API_KEY_PER_MINUTE: '4',
      RATE_LIMIT_CLIENT_PER_MINUTE: '5',
      RATE_LIMIT_TEAM_TOKEN_PER_MINUTE: '6',
      RATE_LIMIT_USER_PER_MINUTE: '7',
    },
  });
  beforeAll(async () => {
    await unlimited(suite.app, suite.admin);
  });

  it('refuses an API key over its budget on /auth/verify with 429, Retry-After, RateLimit-Policy and RateLimit', async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'three',
      scopes: ['graph:read'],
      rate_limit_per_minute: 3,
    });
    expect(key.rate_limit_per_minute).toBe(3);
    for (const left of [2, 1, 0]) {
      const ok = await call(suite.app, '/auth/verify?scope=graph:read', { apiKey: key.api_key });
      expect(ok.status).toBe(200);
      expect(ok.headers.get('ratelimit-policy')).toBe('"default";q=3;w=60');
      expect(budgetOf(ok).remaining).toBe(left);
      expect(ok.headers.get('x-auth-ratelimit-remaining')).toBe(String(left));
    }
    const refused = await call(suite.app, '/auth/verify?scope=graph:read', { apiKey: key.api_key });
    expect(refused.headers.get('x-auth-error')).toBe('rate_limited');
    await expectOverBudget(refused, 3);
    const metrics = await (await fetch(`${suite.app.metricsUrl}/metrics`)).text();
    expect(metrics).toMatch(
      /^gatehouse_auth_outcomes_total\{kind="api_key",outcome="failure",reason="rate_limited"\} [1-9]/m,
    );
  });

  it('refuses an API key over its budget on the management API, and tells its budget on every answer', async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'manager',
      scopes: ['api_keys:manage'],
      rate_limit_per_minute: 2,
    });
    const first = await call(suite.app, '/api/v1/api-keys', { apiKey: key.api_key });
    expect(first.status).toBe(200);
    expect(first.headers.get('ratelimit-policy')).toBe('"default";q=2;w=60');
    expect(budgetOf(first).remaining).toBe(1);
    expect((await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: key.api_key })).status).toBe(200);
    await expectOverBudget(await call(suite.app, '/api/v1/api-keys', { apiKey: key.api_key }), 2);
  });

  it('honours a budget changed later with PATCH, and one given to the replacement on rotation', async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'changed',
      scopes: ['graph:read'],
      rate_limit_per_minute: 1,
    });
    expect((await call(suite.app, '/auth/verify', { apiKey: key.api_key })).status).toBe(200);
    expect((await call(suite.app, '/auth/verify', { apiKey: key.api_key })).status).toBe(429);

    const patched = await call(suite.app, `/api/v1/api-keys/${key.id}`, {
      apiKey: suite.admin,
      method: 'PATCH',
      body: { rate_limit_per_minute: 5 },
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ id: key.id, rate_limit_per_minute: 5 });
    // One request was counted in this window (the refused one was not); the second of five is allowed now.
    const allowed = await call(suite.app, '/auth/verify', { apiKey: key.api_key });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('ratelimit-policy')).toBe('"default";q=5;w=60');
    expect(budgetOf(allowed).remaining).toBe(3);

    const listed = (await (await call(suite.app, '/api/v1/api-keys', { apiKey: suite.admin })).json()) as {
      api_keys: Array<{ id: string; rate_limit_per_minute: number | null }>;
    };
    expect(listed.api_keys.find((k) => k.id === key.id)?.rate_limit_per_minute).toBe(5);
    const got = await call(suite.app, `/api/v1/api-keys/${key.key_id}`, { apiKey: suite.admin });
    expect(await got.json()).toMatchObject({ id: key.id, rate_limit_per_minute: 5 });

    // Back to the default for API keys (4 a minute): the third counted request of the window leaves one.
    await call(suite.app, `/api/v1/api-keys/${key.id}`, {
      apiKey: suite.admin,
      method: 'PATCH',
      body: { rate_limit_per_minute: null },
    });
    const byDefault = await call(suite.app, '/auth/verify', { apiKey: key.api_key });
    expect(byDefault.headers.get('ratelimit-policy')).toBe('"default";q=4;w=60');
    expect(budgetOf(byDefault).remaining).toBe(1);

    const rotated = await call(suite.app, `/api/v1/api-keys/${key.id}/rotate`, {
      apiKey: suite.admin,
      body: { rate_limit_per_minute: 2 },
    });
    expect(rotated.status).toBe(201);
    const replacement = (await rotated.json()) as { api_key: string; rate_limit_per_minute: number };
    expect(replacement.rate_limit_per_minute).toBe(2);
    expect((await call(suite.app, '/auth/verify', { apiKey: replacement.api_key })).status).toBe(200);
    expect((await call(suite.app, '/auth/verify', { apiKey: replacement.api_key })).status).toBe(200);
    await expectOverBudget(await call(suite.app, '/auth/verify', { apiKey: replacement.api_key }), 2);
  });

  it('keeps the old budget on rotation when the body names none, and 0 is unlimited', async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'kept',
      scopes: ['graph:read'],
      rate_limit_per_minute: 0,
    });
    for (let i = 0; i < 6; i++) {
      const res = await call(suite.app, '/auth/verify', { apiKey: key.api_key });
      expect(res.status).toBe(200);
      expect(res.headers.get('ratelimit')).toBeNull();
      expect(res.headers.get('x-auth-ratelimit-remaining')).toBeNull();
    }
    const rotated = await call(suite.app, `/api/v1/api-keys/${key.id}/rotate`, { apiKey: suite.admin, body: {} });
    expect(await rotated.json()).toMatchObject({ rate_limit_per_minute: 0 });
  });

  it("charges a WebSocket ticket's redemption to the API key that asked for it, against the key's own budget", async () => {
    const key = await createKey(suite.app, suite.admin, {
      name: 'socket',
      scopes: ['graph:read'],
      rate_limit_per_minute: 9,
    });
    const ticket = await issueTicket(suite.app, { apiKey: key.api_key });
    const redeemed = await redeem(suite.app, ticket);
    expect(redeemed.status).toBe(200);
    expect(redeemed.headers.get('ratelimit-policy')).toBe('"default";q=9;w=60');
    // Issuing the ticket was the first request of the key's window, redeeming it the second.
    expect(budgetOf(redeemed).remaining).toBe(7);
  });

  it('gives each credential kind its default budget from config', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'default', scopes: ['graph:read'] });
    expect(key.rate_limit_per_minute).toBeNull();
    const verified = await call(suite.app, '/auth/verify', { apiKey: key.api_key });
    expect(verified.headers.get('ratelimit-policy')).toBe('"default";q=4;w=60');

    const client = await suite.app.ctx.tokens.issue({
      subject: `cli_${randomUUID()}`,
      role: null,
      scopes: ['search:read'],
      authKind: 'client_credentials',
      orgId: 'default',
    });
    const clientAnswer = await call(suite.app, '/auth/verify', { bearer: client.token });
    expect(clientAnswer.headers.get('ratelimit-policy')).toBe('"default";q=5;w=60');

    const teams = await call(suite.app, '/api/v1/orgs/default/teams', {
      apiKey: suite.admin,
      body: { slug: `t${Date.now().toString(36)}`, name: 'Budgeted' },
    });
    const { slug } = (await teams.json()) as { slug: string };
    const issued = await call(suite.app, `/api/v1/orgs/default/teams/${slug}/tokens`, {
      apiKey: suite.admin,
      body: { name: 'ci', scopes: ['search:read'] },
    });
    expect(issued.status).toBe(201);
    const { token } = (await issued.json()) as { token: string };
    const teamAnswer = await call(suite.app, '/auth/verify', { bearer: token });
    expect(teamAnswer.headers.get('ratelimit-policy')).toBe('"default";q=6;w=60');

    const at = new Date(suite.app.clock.now()).toISOString();
    const user = {
      id: newId('usr'),
      issuer: 'https://idp.example',
      subject: `sub-${randomUUID()}`,
      email: `${randomUUID()}@example.com`,
      name: null,
      role: 'analyst',
      org_id: 'default',
      team_id: null,
      created_at: at,
      updated_at: at,
      last_sign_in_at: null,
      disabled_at: null,
    };
    await suite.app.store.db.insertInto('users').values(user).execute();
    const session = await suite.app.ctx.tokens.issue({
      subject: user.id,
      role: 'analyst',
      scopes: ['graph:read'],
      authKind: 'session',
      orgId: 'default',
    });
    for (let i = 0; i < 7; i++) expect((await call(suite.app, '/auth/me', { bearer: session.token })).status).toBe(200);
    await expectOverBudget(await call(suite.app, '/auth/verify', { bearer: session.token }), 7);
  });

  it.each([
    [-1, 'Too small'],
    [1.5, 'expected int'],
    ['10', 'expected number'],
    [100_000_001, 'Too big'],
  ])('refuses rate_limit_per_minute %j with 400 naming the field', async (value, why) => {
    const created = await call(suite.app, '/api/v1/api-keys', {
      apiKey: suite.admin,
      body: { name: 'bad', scopes: ['graph:read'], rate_limit_per_minute: value },
    });
    expect(created.status).toBe(400);
    const body = (await created.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^body\.rate_limit_per_minute: /);
    expect(body.error.message).toContain(why);

    const key = await createKey(suite.app, suite.admin, { name: 'to-change', scopes: ['graph:read'] });
    for (const [path, method] of [
      [`/api/v1/api-keys/${key.id}`, 'PATCH'],
      [`/api/v1/api-keys/${key.id}/rotate`, 'POST'],
    ] as const) {
      const res = await call(suite.app, path, { apiKey: suite.admin, method, body: { rate_limit_per_minute: value } });
      expect(res.status).toBe(400);
      expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
        /^body\.rate_limit_per_minute: /,
      );
    }
  });
});

describe('one budget across two replicas on one PostgreSQL database', () => {
  const replicas = useTwoReplicasWithAdmin();

  it('counts requests on either replica against the same budget', async () => {
    const key = await createKey(replicas.first, replicas.admin, {
      name: 'shared',
      scopes: ['graph:read'],
      rate_limit_per_minute: 4,
    });
    expect(budgetOf(await call(replicas.first, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(3);
    expect(budgetOf(await call(replicas.second, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(2);
    expect(budgetOf(await call(replicas.first, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(1);
    expect(budgetOf(await call(replicas.second, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(0);
    await expectOverBudget(await call(replicas.first, '/auth/verify', { apiKey: key.api_key }), 4);
    await expectOverBudget(await call(replicas.second, '/auth/verify', { apiKey: key.api_key }), 4);
  });

  it('applies a budget changed on one replica to the next request on the other', async () => {
    const key = await createKey(replicas.first, replicas.admin, {
      name: 'raised',
      scopes: ['graph:read'],
      rate_limit_per_minute: 1,
    });
    expect((await call(replicas.second, '/auth/verify', { apiKey: key.api_key })).status).toBe(200);
    expect((await call(replicas.second, '/auth/verify', { apiKey: key.api_key })).status).toBe(429);
    const patched = await call(replicas.first, `/api/v1/api-keys/${key.id}`, {
      apiKey: replicas.admin,
      method: 'PATCH',
      body: { rate_limit_per_minute: 10 },
    });
    expect(patched.status).toBe(200);
    // The change reaches the second replica through the invalidation bus (no clock moves, no cache entry expires):
    // its answers, allowed or not, then state the new budget.
    await eventually(async () => {
      const res = await call(replicas.second, '/auth/verify', { apiKey: key.api_key });
      return res.headers.get('ratelimit-policy') === '"default";q=10;w=60';
    });
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

describe(`a budget across two app instances (${redisUrl ? 'shared through Redis' : 'no Redis: per process'})`, () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  beforeAll(async () => {
    const env = redisUrl ? { REDIS_URL: redisUrl } : {};
    a = await startTestApp({ dialect: 'sqlite', env });
    b = await startTestApp({ dialect: 'sqlite', env, database: a.database });
    await Promise.all([redisReady(a.services.redis), redisReady(b.services.redis)]);
    admin = await bootstrapAdminKey(a);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it(redisUrl ? 'counts requests on either instance against the same budget' : 'counts per instance', async () => {
    const key = await createKey(a, admin, { name: 'redis', scopes: ['graph:read'], rate_limit_per_minute: 3 });
    expect(budgetOf(await call(a, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(2);
    expect(budgetOf(await call(b, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(redisUrl ? 1 : 2);
    expect(budgetOf(await call(a, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(redisUrl ? 0 : 1);
    if (redisUrl) await expectOverBudget(await call(b, '/auth/verify', { apiKey: key.api_key }), 3);
    else expect(budgetOf(await call(b, '/auth/verify', { apiKey: key.api_key })).remaining).toBe(1);
  });
});
