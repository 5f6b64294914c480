import { type Kysely, PostgresAdapter, sql } from 'kysely';

/**
 * Request budgets per credential. `api_keys.rate_limit_per_minute` is a key's own budget (null: the default for API
 * keys from config). On PostgreSQL, `rate_limit_counters` holds the per-minute counts every replica shares when no
 * Redis is configured (rate-limiter-flexible's RateLimiterPostgres layout: key, points, expire in epoch ms). It is
 * UNLOGGED: counts are worth nothing after a crash, and a write that skips the WAL costs no flush on the verify path.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('api_keys').addColumn('rate_limit_per_minute', 'integer').execute();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  await db.schema
    .createTable('rate_limit_counters')
    .modifyFront(sql`unlogged`)
    .addColumn('key', 'varchar(255)', (c) => c.primaryKey())
    .addColumn('points', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('expire', 'bigint')
    .execute();
}
