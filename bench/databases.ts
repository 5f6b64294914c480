import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';

export interface BenchDatabase {
  readonly name: 'postgres' | 'sqlite';
  readonly databaseUrl: string;
  readonly dataDir: string;
  /**
   * Does now, and waits for, the maintenance a burst of writes (seeding, a cold-cache run) leaves behind, so that it
   * does not run inside the next measurement: on a 2-core machine PostgreSQL's autovacuum and checkpointer would
   * otherwise take CPU from the runtime under load, which a database server of its own does not do in production.
   */
  settle(): Promise<void>;
  drop(): Promise<void>;
}

/**
 * The PostgreSQL server the bench uses: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
 * A fresh database is created on it for each run and dropped afterwards.
 */
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createPostgresDatabase(adminUrl = ADMIN_URL): Promise<BenchDatabase> {
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pg-'));
  return {
    name: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    settle: async () => {
      const client = new pg.Client({ connectionString: url.toString() });
      await client.connect();
      try {
        await client.query('VACUUM ANALYZE');
        // CHECKPOINT needs a superuser (or pg_checkpoint); without it the checkpointer catches up on its own schedule.
        await client.query('CHECKPOINT').catch((error: Error) => {
          process.stderr.write(`bench: CHECKPOINT refused (${error.message}); continuing without it\n`);
        });
      } finally {
        await client.end();
      }
    },
    drop: async () => {
      const client = new pg.Client({ connectionString: adminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function createSqliteDatabase(): BenchDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sqlite-'));
  const filename = join(dataDir, 'gatehouse.db');
  return {
    name: 'sqlite',
    databaseUrl: `sqlite:${filename}`,
    dataDir,
    // SQLite has no background work; a checkpoint now moves the seeding's WAL into the database file, so that the
    // runtime's next write does not pay for it inside a measurement.
    settle: async () => {
      const database = new SqliteDatabase(filename);
      try {
        database.pragma('wal_checkpoint(TRUNCATE)');
      } finally {
        database.close();
      }
    },
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
