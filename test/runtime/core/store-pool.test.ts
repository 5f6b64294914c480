import { sql } from 'kysely';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { type OpenStoreOptions, openStore, type Store } from '../../../runtime/src/store/store.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';

/** Backends connected to `database` other than the one asking. */
async function backendsOf(database: TestDatabase): Promise<number> {
  const client = new pg.Client({ connectionString: database.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: string }>(
      'select count(*) from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return Number(rows[0]?.count);
  } finally {
    await client.end();
  }
}

/** Waits (up to 3 s) until `database` has `expected` backends besides the one asking. */
function backendsBecome(database: TestDatabase, expected: number): Promise<void> {
  return vi.waitFor(async () => expect(await backendsOf(database)).toBe(expected), { timeout: 3000, interval: 50 });
}

describe('PostgreSQL pool: idle connections', () => {
  let database: TestDatabase | undefined;
  let store: Store | undefined;
  afterEach(async () => {
    await store?.close();
    await database?.drop();
    store = undefined;
    database = undefined;
  });

  /** Opens a store on a fresh database and makes its pool open `busy` connections at once. */
  async function poolAfterBurst(options: OpenStoreOptions, busy: number): Promise<TestDatabase> {
    const fresh = await createTestDatabase('postgres');
    const opened = openStore(fresh.database, options);
    database = fresh;
    store = opened;
    const queries = Promise.all(Array.from({ length: busy }, () => sql`select pg_sleep(1)`.execute(opened.db)));
    // Counted while every connection is busy: once idle, one could already have timed out on a slow CI host.
    await backendsBecome(fresh, busy);
    await queries;
    return fresh;
  }

  it('keeps minIdleConnections open after a burst; closes the rest once idle', async () => {
    const db = await poolAfterBurst({ poolSize: 4, minIdleConnections: 2, idleTimeoutMs: 100 }, 4);
    await backendsBecome(db, 2);
    // Long past the idle timeout, the two stay: the next periodic query needs no new backend.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await backendsOf(db)).toBe(2);
  });

  it('closes every idle connection when minIdleConnections is 0', async () => {
    const db = await poolAfterBurst({ poolSize: 3, minIdleConnections: 0, idleTimeoutMs: 100 }, 3);
    await backendsBecome(db, 0);
  });

  it('keeps two by default, and never more than poolSize', async () => {
    const byDefault = await poolAfterBurst({ poolSize: 4, idleTimeoutMs: 100 }, 4);
    await backendsBecome(byDefault, 2);
    await store?.close();
    await byDefault.drop();

    const capped = await poolAfterBurst({ poolSize: 1, minIdleConnections: 5, idleTimeoutMs: 100 }, 1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await backendsOf(capped)).toBe(1);
  });
});
