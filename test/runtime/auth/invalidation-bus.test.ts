import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { eventually } from './helpers.js';

describe('invalidation bus on PostgreSQL', () => {
  let a: TestApp;
  let b: TestApp;
  beforeAll(async () => {
    a = await startTestApp({ dialect: 'postgres' });
    b = await startTestApp({ dialect: 'postgres', database: a.database });
    await Promise.all([a.services.bus.ready(), b.services.bus.ready()]);
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
  });

  it('delivers a key to subscribers here at once and on the other replica, and only on its topic', async () => {
    const seenA: string[] = [];
    const seenB: string[] = [];
    const other: string[] = [];
    a.services.bus.subscribe('test.topic', { onKey: (k) => seenA.push(k), onReset: () => {} });
    b.services.bus.subscribe('test.topic', { onKey: (k) => seenB.push(k), onReset: () => {} });
    b.services.bus.subscribe('test.other', { onKey: (k) => other.push(k), onReset: () => {} });
    await a.services.bus.publish('test.topic', 'key-1');
    expect(seenA).toContain('key-1');
    await eventually(async () => seenB.includes('key-1'));
    expect(other).toEqual([]);
  });

  it('resets subscribers when its LISTEN connection drops, then reconnects and delivers again', async () => {
    const bus = b.services.bus;
    let resets = 0;
    const keys: string[] = [];
    bus.subscribe('test.reconnect', { onKey: (k) => keys.push(k), onReset: () => resets++ });

    await sql`select pg_terminate_backend(pid) from pg_stat_activity
              where datname = current_database() and query like 'LISTEN %' and pid <> pg_backend_pid()`.execute(
      b.store.db,
    );
    await eventually(async () => resets >= 1);
    await bus.ready();
    expect(bus.healthy).toBe(true);
    // One reset on losing the connection, one after listening again: anything published in between is covered.
    await eventually(async () => resets >= 2);

    await a.services.bus.publish('test.reconnect', 'after-reconnect');
    await eventually(async () => keys.includes('after-reconnect'));
  });
});
