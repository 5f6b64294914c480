import type { Kysely } from 'kysely';

/**
 * Break-glass username and password login (`POST /api/v1/auth/token`, accounts made by `gatehouse local-user`).
 * A local account is an ordinary `users` row; its password lives apart, as an argon2id PHC string, in
 * `local_credentials`. Failed attempts are counted per username in `local_login_failures`, whether or not the
 * username exists, so a lockout answers the same for a real account and for a made-up one.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('local_credentials')
    .addColumn('user_id', 'text', (c) => c.primaryKey().references('users.id'))
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('password_changed_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('local_login_failures')
    .addColumn('username', 'text', (c) => c.primaryKey())
    .addColumn('failures', 'integer', (c) => c.notNull())
    .addColumn('last_failed_at', 'text', (c) => c.notNull())
    .addColumn('locked_until', 'text')
    .execute();
  // Expired rows are deleted by age.
  await db.schema
    .createIndex('local_login_failures_last_failed_index')
    .on('local_login_failures')
    .column('last_failed_at')
    .execute();
}
