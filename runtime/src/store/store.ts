import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect, sql, type Transaction } from 'kysely';
import pg from 'pg';
import { postgresConnectionConfig } from '../azure/postgres-connection.js';
import type { DatabaseConfig } from '../config.js';
import type { Database } from './schema.js';

export type StoreDialect = 'sqlite' | 'postgres';

/**
 * The runtime's one store. `db` is a Kysely instance: write each query once with it and it runs on both SQLite and
 * PostgreSQL. Use `transaction` for multi-statement changes.
 */
export interface Store {
  readonly db: Kysely<Database>;
  readonly dialect: StoreDialect;
  /** Runs `fn` in a transaction; commits when it resolves, rolls back when it throws. */
  transaction<T>(fn: (trx: Transaction<Database>) => Promise<T>): Promise<T>;
  /** Throws when the store cannot answer a trivial query (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface OpenStoreOptions {
  /** PostgreSQL pool size. Default 10. */
  readonly poolSize?: number;
}

/** Opens (but does not migrate) the store described by `DATABASE_URL`. Call `migrateToLatest(store)` next. */
export function openStore(database: DatabaseConfig, options: OpenStoreOptions = {}): Store {
  if (database.kind === 'postgres') {
    const pool = new pg.Pool({ ...postgresConnectionConfig(database), max: options.poolSize ?? 10 });
    // An idle client losing its connection must not crash the process; the next query reconnects.
    pool.on('error', () => {});
    return wrap(new Kysely<Database>({ dialect: new PostgresDialect({ pool }) }), 'postgres');
  }
  if (database.filename !== ':memory:') mkdirSync(dirname(database.filename), { recursive: true });
  const sqlite = new SqliteDatabase(database.filename);
  sqlite.pragma('journal_mode = WAL');
  // Wait (ms) for another process's write lock instead of failing at once.
  sqlite.pragma('busy_timeout = 5000');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('synchronous = NORMAL');
  return wrap(new Kysely<Database>({ dialect: new SqliteDialect({ database: sqlite }) }), 'sqlite');
}

function wrap(db: Kysely<Database>, dialect: StoreDialect): Store {
  let closed: Promise<void> | undefined;
  return {
    db,
    dialect,
    transaction: (fn) => db.transaction().execute(fn),
    ping: async () => {
      await sql`select 1`.execute(db);
    },
    close: () => {
      closed ??= db.destroy();
      return closed;
    },
  };
}

/** True when `error` is a unique-constraint violation in either dialect. */
export function isUniqueViolation(error: unknown): boolean {
  const code = (error as { code?: unknown })?.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY';
}
