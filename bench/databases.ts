import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface BenchDatabase {
  readonly name: 'postgres' | 'sqlite';
  readonly databaseUrl: string;
  readonly dataDir: string;
  drop(): Promise<void>;
}

/**
 * The PostgreSQL server the bench uses: BENCH_DATABASE_URL, else TEST_DATABASE_URL, else the local default.
 * A fresh database is created on it for each run and dropped afterwards.
 */
const ADMIN_URL =
  process.env.BENCH_DATABASE_URL ?? process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export async function createPostgresDatabase(): Promise<BenchDatabase> {
  const name = `gatehouse_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-pg-'));
  return {
    name: 'postgres',
    databaseUrl: url.toString(),
    dataDir,
    drop: async () => {
      const client = new pg.Client({ connectionString: ADMIN_URL });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function createSqliteDatabase(): BenchDatabase {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-bench-sqlite-'));
  return {
    name: 'sqlite',
    databaseUrl: `sqlite:${join(dataDir, 'gatehouse.db')}`,
    dataDir,
    drop: async () => rmSync(dataDir, { recursive: true, force: true }),
  };
}
