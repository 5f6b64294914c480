import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import type { DatabaseConfig } from '../../runtime/src/config.js';
import { migrateToLatest } from '../../runtime/src/store/migrate.js';
import { openStore, type Store, type StoreDialect } from '../../runtime/src/store/store.js';

/** Both store dialects; run store-touching suites with `describe.each(STORE_DIALECTS)`. */
export const STORE_DIALECTS: readonly StoreDialect[] = ['sqlite', 'postgres'];

export interface TestDatabase {
  readonly dialect: StoreDialect;
  /** What to put in `DATABASE_URL` (e.g. for a CLI child process). */
  readonly databaseUrl: string;
  readonly database: DatabaseConfig;
  /** Deletes the database (PostgreSQL: DROP DATABASE; SQLite: the temp directory). */
  drop(): Promise<void>;
}

/**
 * A fresh, empty database for one test file: SQLite in a temp directory, or a new PostgreSQL database with a random
 * name on the server from `TEST_DATABASE_URL` / the embedded server, so files can run in parallel.
 */
export async function createTestDatabase(dialect: StoreDialect): Promise<TestDatabase> {
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sqlite-'));
    const filename = join(dir, 'gatehouse.db');
    return {
      dialect,
      databaseUrl: `sqlite:${filename}`,
      database: { kind: 'sqlite', filename },
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const adminUrl = inject('postgresAdminUrl');
  const name = `gatehouse_test_${randomBytes(6).toString('hex')}`;
  await withAdmin(adminUrl, (client) => client.query(`CREATE DATABASE ${name}`));
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    dialect,
    databaseUrl: url.href,
    database: { kind: 'postgres', url: url.href },
    drop: async () => {
      await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  };
}

async function withAdmin<T>(adminUrl: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface TestStore {
  readonly store: Store;
  readonly database: TestDatabase;
  /** Closes the store and drops the database. */
  cleanup(): Promise<void>;
}

/** A migrated store on a fresh database of `dialect`. */
export async function openTestStore(dialect: StoreDialect): Promise<TestStore> {
  const database = await createTestDatabase(dialect);
  const store = openStore(database.database, { poolSize: 4 });
  await migrateToLatest(store);
  return {
    store,
    database,
    cleanup: async () => {
      await store.close();
      await database.drop();
    },
  };
}
