import { randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RateLimiter } from '../../../runtime/src/rate-limit/limiter.js';
import { redisReady } from '../../../runtime/src/rate-limit/redis-connection.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call, createKey, forgeSecret, randomIp } from '../auth/helpers.js';

/** A small limit keeps the suite quick; the mechanism is the same at the default of 20. */
const LIMIT_ENV = { AUTH_FAILURE_LIMIT: '5', AUTH_FAILURE_WINDOW_SECONDS: '60', AUTH_FAILURE_BLOCK_SECONDS: '120' };
const RATE_LIMITED = {
  error: { code: 'rate_limited', message: 'Too many failed authentication attempts; retry later' },
};

describe.each(STORE_DIALECTS)('brute-force limit on %s (in process)', (dialect) => {
  const suite = useAppWithAdmin(dialect, { env: LIMIT_ENV });

  it('answers 429 with Retry-After once an address failed too often, even with a good key', async () => {
    const ip = randomIp();
    const guess = forgeSecret(suite.admin);
    for (let i = 0; i < 5; i++) {
      const res = await call(suite.app, '/auth/verify', { apiKey: guess, ip });
      expect(res.status).toBe(401);
    }
    const limited = await call(suite.app, '/auth/verify', { apiKey: guess, ip });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('x-auth-error')).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(119);
    expect(Number(limited.headers.get('retry-after'))).toBeLessThanOrEqual(120);
    expect(limited.headers.get('ratelimit')).toBe(`"auth-failures";r=0;t=${limited.headers.get('retry-after')}`);
    expect(await limited.json()).toEqual(RATE_LIMITED);

    const good = await call(suite.app, '/auth/me', { apiKey: suite.admin, ip });
    expect(good.status).toBe(429);
    expect(good.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await call(suite.app, '/auth/me', { apiKey: suite.admin, ip: randomIp() })).status).toBe(200);
  });

  it('counts malformed and unknown credentials, on Express routes and fast routes alike', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await call(suite.app, '/auth/me', { bearer: 'garbage', ip })).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await call(suite.app, '/auth/verify', { apiKey: 'sk_test_x', ip })).status).toBe(401);
    const limited = await call(suite.app, '/api/v1/api-keys', { apiKey: 'sk_test_x', ip });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(RATE_LIMITED);
  });

  it('does not count expired or revoked credentials (their holder is not guessing)', async () => {
    const ip = randomIp();
    const key = await createKey(suite.app, suite.admin, { name: 'revoked-in-a-loop', scopes: ['graph:read'] });
    await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' });
    for (let i = 0; i < 8; i++) {
      const res = await call(suite.app, '/auth/verify', { apiKey: key.api_key, ip });
      expect(res.status).toBe(401);
    }
    expect((await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip })).status).toBe(200);
  });

  it('counts IPv6 callers per /64, so rotating through the prefix does not escape the limit', async () => {
    const prefix = `2001:db8:${randomInt(65536).toString(16)}:${randomInt(65536).toString(16)}`;
    for (let i = 1; i <= 5; i++) {
      expect((await call(suite.app, '/auth/verify', { apiKey: 'sk_test_nope', ip: `${prefix}::${i}` })).status).toBe(
        401,
      );
    }
    // The sixth failure, from yet another address of the same /64, is over the limit and blocks the prefix.
    expect((await call(suite.app, '/auth/verify', { apiKey: 'sk_test_nope', ip: `${prefix}::6` })).status).toBe(429);
    const rotated = await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: `${prefix}:abcd:1:2:3` });
    expect(rotated.status).toBe(429);
    expect(await rotated.json()).toEqual(RATE_LIMITED);
    // The neighbouring /64 is somebody else.
    const neighbour = `2001:db8:${randomInt(65536).toString(16)}:${randomInt(65536).toString(16)}::1`;
    expect((await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: neighbour })).status).toBe(200);
  });

  it('counts IPv4 callers per full address, and IPv4-mapped IPv6 as that IPv4 address', async () => {
    const base = `198.18.${randomInt(256)}`;
    for (let i = 0; i < 6; i++) {
      const ip = i % 2 === 0 ? `${base}.10` : `::ffff:${base}.10`;
      expect((await call(suite.app, '/auth/verify', { apiKey: 'sk_test_nope', ip })).status).toBe(i < 5 ? 401 : 429);
    }
    expect((await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: `${base}.10` })).status).toBe(429);
    expect((await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: `::ffff:${base}.10` })).status).toBe(429);
    expect((await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: `${base}.11` })).status).toBe(200);
  });

  it('counts an address as one however X-Forwarded-For spells it (port, leading zeros, mapped, bracketed)', async () => {
    const c = 1 + randomInt(254);
    const d = 1 + randomInt(9);
    const spellings = [
      `198.19.${c}.${d}:1234`,
      `198.19.${c}.0${d}`,
      `198.019.${c}.${d}:80`,
      `[::ffff:198.19.${c}.${d}]:443`,
      `198.19.${c}.${d}:5555`,
      `::FFFF:198.19.${c}.${d}`,
    ];
    for (const [i, ip] of spellings.entries()) {
      const res = await call(suite.app, '/api/v1/api-keys', { apiKey: 'sk_test_nope', ip });
      expect({ ip, status: res.status }).toEqual({ ip, status: i < 5 ? 401 : 429 });
    }
    const limited = await call(suite.app, '/auth/verify', { apiKey: suite.admin, ip: `198.19.${c}.${d}` });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(RATE_LIMITED);
  });

  it('offers a reusable limiter that throws rate_limited with Retry-After', async () => {
    const limiter = new RateLimiter(suite.app.ctx, suite.app.services.redis, {
      name: `test-${randomIp()}`,
      points: 2,
      durationSeconds: 30,
    });
    await limiter.consume('client-a');
    await limiter.consume('client-a');
    const error = await limiter.consume('client-a').catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'rate_limited', status: 429 });
    expect((error as { headers: Record<string, string> }).headers['Retry-After']).toMatch(/^(29|30)$/);
    await limiter.consume('client-b');
  });
});

const redisUrl = process.env.TEST_REDIS_URL;

describe(`brute-force limit across two app instances (${redisUrl ? 'shared through Redis' : 'no Redis: per process'})`, () => {
  let a: TestApp;
  let b: TestApp;
  let admin: string;
  beforeAll(async () => {
    const env = { ...LIMIT_ENV, ...(redisUrl ? { REDIS_URL: redisUrl } : {}) };
    a = await startTestApp({ dialect: 'sqlite', env });
    b = await startTestApp({ dialect: 'sqlite', env });
    await Promise.all([redisReady(a.services.redis), redisReady(b.services.redis)]);
    admin = await bootstrapAdminKey(b);
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
  });

  it(redisUrl ? 'refuses on one instance what failed on the other' : 'counts per instance', async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++)
      expect((await call(a, '/auth/verify', { apiKey: 'sk_test_nope', ip })).status).toBe(401);
    for (let i = 0; i < 2; i++)
      expect((await call(b, '/auth/verify', { apiKey: 'sk_test_nope', ip })).status).toBe(401);
    const next = await call(b, '/auth/verify', { apiKey: 'sk_test_nope', ip });
    if (redisUrl) {
      // Five failures in total across both instances: the sixth, on either, is over the shared limit.
      expect(next.status).toBe(429);
      expect(await next.json()).toEqual(RATE_LIMITED);
      expect((await call(b, '/auth/me', { apiKey: admin, ip })).status).toBe(429);
      expect((await call(a, '/auth/verify', { apiKey: 'sk_test_nope', ip })).status).toBe(429);
    } else {
      expect(next.status).toBe(401);
      expect((await call(b, '/auth/me', { apiKey: admin, ip })).status).toBe(200);
    }
  });
});

describe('brute-force limit when Redis is unreachable', () => {
  let app: TestApp;
  beforeAll(async () => {
    // Port 9 (discard) on loopback: nothing listens, connections are refused at once.
    app = await startTestApp({ dialect: 'sqlite', env: { ...LIMIT_ENV, REDIS_URL: 'redis://127.0.0.1:9' } });
  });
  afterAll(() => app?.close());

  it('still limits, in process, instead of failing open or erroring', async () => {
    const ip = randomIp();
    for (let i = 0; i < 5; i++)
      expect((await call(app, '/auth/verify', { apiKey: 'sk_test_nope', ip })).status).toBe(401);
    const limited = await call(app, '/auth/verify', { apiKey: 'sk_test_nope', ip });
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual(RATE_LIMITED);
  });
});
