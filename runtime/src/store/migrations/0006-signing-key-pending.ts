import { type Kysely, sql } from 'kysely';

/**
 * Signing-key rotation publishes the next key before it signs (state `pending`). At most one pending key: two replicas
 * scheduling a rotation at once cannot both win.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createIndex('signing_keys_one_pending')
    .on('signing_keys')
    .column('state')
    .unique()
    .where(sql.ref('state'), '=', sql.lit('pending'))
    .execute();
}
