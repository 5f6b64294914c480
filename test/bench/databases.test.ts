import { statSync } from 'node:fs';
import { join } from 'node:path';
import SqliteDatabase from 'better-sqlite3';
import pg from 'pg';
import { describe, expect, inject, it } from 'vitest';
import { createPostgresDatabase, createSqliteDatabase } from '../../bench/databases.js';

// settle() must leave no maintenance of a write burst for later: the bench measures right after it.

describe('bench databases: settle()', () => {
  it('SQLite: moves the WAL into the database file while the runtime keeps its connection open', async () => {
    const database = createSqliteDatabase();
    const filename = join(database.dataDir, 'gatehouse.db');
    const runtime = new SqliteDatabase(filename);
    try {
      runtime.pragma('journal_mode = WAL');
      runtime.exec('create table t (id integer primary key, v text)');
      const insert = runtime.prepare('insert into t (v) values (?)');
      for (let i = 0; i < 2000; i++) insert.run(`row ${i}`);
      expect(statSync(`${filename}-wal`).size).toBeGreaterThan(0);

      await database.settle();

      expect(statSync(`${filename}-wal`).size).toBe(0);
      expect(runtime.prepare('select count(*) as n from t').get()).toEqual({ n: 2000 });
    } finally {
      runtime.close();
      await database.drop();
    }
  });

  it('PostgreSQL: vacuums and analyzes what a burst of updates left behind', async () => {
    const database = await createPostgresDatabase(inject('postgresAdminUrl'));
    const client = new pg.Client({ connectionString: database.databaseUrl });
    await client.connect();
    try {
      await client.query('create table t (id serial primary key, v text)');
      await client.query("insert into t (v) select 'row ' || g from generate_series(1, 2000) g");
      await client.query("update t set v = v || ' updated'");

      await database.settle();

      const { rows } = await client.query<{ vacuumed: boolean; analyzed: boolean; dead: string }>(
        `select last_vacuum is not null as vacuumed, last_analyze is not null as analyzed, n_dead_tup as dead
           from pg_stat_user_tables where relname = 't'`,
      );
      expect(rows).toEqual([{ vacuumed: true, analyzed: true, dead: '0' }]);
    } finally {
      await client.end();
      await database.drop();
    }
  });
});
