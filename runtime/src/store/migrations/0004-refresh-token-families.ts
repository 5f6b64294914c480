import type { Kysely } from 'kysely';

/**
 * Browser sign-in: one row per sign-in session ("refresh-token family"). Every refresh token of a session
 * points at its family; revoking the family (logout, reuse detection, disabled user) is one row update, and every
 * rotation checks the family in the same transaction, so a rotation racing a logout cannot leave a live token behind.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('refresh_token_families')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('last_rotated_at', 'text')
    .addColumn('revoked_at', 'text')
    .addColumn('revoked_reason', 'text')
    .execute();
  await db.schema
    .createIndex('refresh_token_families_user_index')
    .on('refresh_token_families')
    .column('user_id')
    .execute();
  // Grace-window checks look up a token's children.
  await db.schema.createIndex('refresh_tokens_parent_index').on('refresh_tokens').column('parent_id').execute();
}
