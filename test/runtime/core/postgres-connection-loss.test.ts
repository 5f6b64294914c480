import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { freePort } from '../../support/free-port.js';
import { bootstrapAdminKey, call, createKey, eventually } from '../auth/helpers.js';
import { TcpProxy } from './tcp-proxy.js';

/** The runtime reaches PostgreSQL only through a proxy the test can cut. */
describe('PostgreSQL connections lost abruptly', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: TestApp;
  let admin: string;
  /** Errors that would have ended the process (`Unhandled 'error' event` on a pg Client). */
  const uncaught: unknown[] = [];
  const recordUncaught = (error: unknown) => uncaught.push(error);

  beforeAll(async () => {
    process.on('uncaughtException', recordUncaught);
    database = await createTestDatabase('postgres');
    const url = new URL(database.databaseUrl);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const port = await proxy.start();
    const viaProxy = new URL(database.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(port);
    app = await startTestApp({ dialect: 'postgres', database, env: { DATABASE_URL: viaProxy.href } });
    admin = await bootstrapAdminKey(app);
  });
  afterAll(async () => {
    process.off('uncaughtException', recordUncaught);
    await app?.close();
    await proxy?.stop();
    await database?.drop();
  });

  /** The runtime still answers, and once connections can be made again, answers from the store. */
  async function stillServing(): Promise<void> {
    expect((await call(app, '/healthz')).status).toBe(200);
    await eventually(async () => (await call(app, '/readyz')).status === 200);
    const key = await createKey(app, admin, { name: `after-cut-${proxy.accepted}`, scopes: ['search:read'] });
    expect((await call(app, '/auth/verify?scope=search:read', { apiKey: key.api_key })).status).toBe(200);
  }

  it('keeps serving when idle connections (pooled and LISTEN) are reset', async () => {
    expect((await call(app, '/auth/me', { apiKey: admin })).status).toBe(200);
    const before = proxy.accepted;
    proxy.cut();
    await stillServing();
    expect(proxy.accepted).toBeGreaterThan(before);
    expect(uncaught).toEqual([]);
    expect(app.logs.some((line) => line.msg === 'database connection lost; the pool reconnects')).toBe(true);
  });

  it('keeps serving when a connection is reset in the middle of a query', async () => {
    const sleeping = sql`select pg_sleep(30)`.execute(app.store.db).then(
      () => 'finished',
      (error: Error) => error.message,
    );
    // Wait (without timing assumptions) until the server runs the query, asking it directly, not through the proxy.
    const direct = new pg.Client({ connectionString: database.databaseUrl });
    await direct.connect();
    try {
      await eventually(async () => {
        const { rows } = await direct.query(
          "select count(*)::int as n from pg_stat_activity where query like 'select pg_sleep(30)%' and state = 'active'",
        );
        return rows[0].n > 0;
      });
    } finally {
      await direct.end();
    }
    proxy.cut();
    expect(await sleeping).toMatch(/Connection terminated unexpectedly|terminated|ECONNRESET/);
    await stillServing();
    expect(uncaught).toEqual([]);
  });
});

describe('start-up while PostgreSQL hangs', () => {
  it('binds the port first and answers 503 unavailable (nosniff, Retry-After) until the app is ready', async () => {
    const database = await createTestDatabase('postgres');
    const url = new URL(database.databaseUrl);
    const proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const viaProxy = new URL(database.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(await proxy.start());
    const port = await freePort();
    proxy.hold();
    const starting = startTestApp({
      dialect: 'postgres',
      database,
      env: { DATABASE_URL: viaProxy.href, PORT: String(port) },
    });
    try {
      let early: Response | undefined;
      await eventually(async () => {
        early = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => undefined);
        return early !== undefined;
      });
      expect(early?.status).toBe(503);
      expect(early?.headers.get('retry-after')).toBe('1');
      expect(early?.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await early?.json()).toEqual({
        error: { code: 'unavailable', message: 'The runtime is starting; retry shortly' },
      });
      proxy.release();
      const app = await starting;
      try {
        expect((await fetch(`${app.baseUrl}/healthz`)).status).toBe(200);
      } finally {
        await app.close();
      }
    } finally {
      proxy.release();
      await starting.catch(() => undefined);
      await proxy.stop();
      await database.drop();
    }
  });
});
