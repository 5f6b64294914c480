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
  /**
   * PostgreSQL connections kept open however long they sit idle. Default 2 (at most `poolSize`). pg's pool otherwise
   * closes every connection idle for 10 s, and the runtime's own periodic queries (a credential-cache refill every
   * `API_KEY_CACHE_TTL_SECONDS`, the denylist and the key ring every minute) come further apart than that: each one
   * opened a connection (a server-side backend, sign-in and, with `DATABASE_AUTH=managed-identity`, TLS and an Entra
   * token) at a random moment under load, and every new backend during a fixed-rate bench run fell on a 15-28 ms
   * latency spike.
   */
  readonly minIdleConnections?: number;
  /** How long a PostgreSQL connection beyond `minIdleConnections` sits idle before it closes, in ms. Default 10000. */
  readonly idleTimeoutMs?: number;
  /** How long opening a PostgreSQL connection may take before the query fails (503 to the caller), in ms. Default 5000. */
  readonly connectTimeoutMs?: number;
  /** Told when a PostgreSQL connection fails (lost, reset, server shut down); the pool replaces it. Default: ignored. */
  readonly onConnectionError?: (error: Error) => void;
}

const DEFAULT_POOL_SIZE = 10;
const DEFAULT_MIN_IDLE_CONNECTIONS = 2;
const DEFAULT_IDLE_TIMEOUT_MS = 10_000;
const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

/** Opens (but does not migrate) the store described by `DATABASE_URL`. Call `migrateToLatest(store)` next. */
export function openStore(database: DatabaseConfig, options: OpenStoreOptions = {}): Store {
  if (database.kind === 'postgres') {
    const max = options.poolSize ?? DEFAULT_POOL_SIZE;
    const pool = new pg.Pool({
      ...postgresConnectionConfig(database),
      max,
      min: Math.min(max, options.minIdleConnections ?? DEFAULT_MIN_IDLE_CONNECTIONS),
      idleTimeoutMillis: options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
      // Without it a query waits forever for a server that does not answer (a dropped route, not a refusal).
      connectionTimeoutMillis: options.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
    });
    // A connection lost abruptly ("Connection terminated unexpectedly") makes its client emit 'error', idle or checked
    // out; an unhandled 'error' event would end the process. Every client gets a listener for its whole life: a query
    // in flight rejects, the pool drops the dead client (idle, or when it is released) and the next query reconnects.
    const onConnectionError = options.onConnectionError ?? (() => {});
    pool.on('connect', (client) => client.on('error', onConnectionError));
    // The pool re-emits an idle client's error; the client's own listener above has reported it already.
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
