import { Migrator } from 'kysely';
import { migrations } from './migrations/index.js';
import type { Store } from './store.js';

export interface MigrationResult {
  /** Names of migrations applied by this call (empty when the store was already up to date). */
  readonly applied: readonly string[];
}

const SQLITE_BUSY_RETRIES = 50;
const SQLITE_BUSY_WAIT_MS = 100;

/**
 * Brings the store to the latest schema. Idempotent. Safe when several replicas start at once: on PostgreSQL Kysely's
 * migrator holds a session `pg_advisory_lock` and runs the migrations in one transaction; on SQLite the file lock
 * serializes writers and a replica that loses the race retries and then finds nothing left to do.
 */
export async function migrateToLatest(store: Store): Promise<MigrationResult> {
  const migrator = new Migrator({
    db: store.db,
    provider: { getMigrations: async () => migrations },
  });
  for (let attempt = 0; ; attempt++) {
    const { error, results } = await migrator.migrateToLatest();
    if (!error) {
      return { applied: (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
    }
    if (store.dialect === 'sqlite' && lostSqliteRace(error) && attempt < SQLITE_BUSY_RETRIES) {
      await new Promise((r) => setTimeout(r, SQLITE_BUSY_WAIT_MS));
      continue;
    }
    const failed = results?.find((r) => r.status === 'Error')?.migrationName;
    throw new Error(`Store migration ${failed ? `"${failed}" ` : ''}failed: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Another process (or store) on the same SQLite file migrated concurrently: it held the write lock (busy) or committed
 * the same DDL first (our transaction rolled back). Retrying finds the migration recorded and does nothing.
 */
function lostSqliteRace(error: unknown): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  if (typeof code === 'string' && code.startsWith('SQLITE_BUSY')) return true;
  return code === 'SQLITE_ERROR' && typeof message === 'string' && / already exists$/.test(message);
}
