import type { Kysely } from 'kysely';

/**
 * The access-token denylist. A row per revoked `jti`, kept until the token's own expiry (after that the
 * token is refused for being expired and the row is pruned).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('revoked_access_tokens')
    .addColumn('jti', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('revoked_access_tokens_expires_index')
    .on('revoked_access_tokens')
    .column('expires_at')
    .execute();
}
