import type { Store } from '../../runtime/src/store/store.js';

/**
 * Inserts an org row directly (no API call, no audit event), with no per-org token lifetime overrides, so a suite
 * can test tenancy against a second org besides `default`. `at` is the ISO timestamp for created_at/updated_at.
 */
export async function seedOrg(store: Store, org: { id: string; name: string }, at: string): Promise<void> {
  await store.db
    .insertInto('orgs')
    .values({
      id: org.id,
      name: org.name,
      team_token_ttl_seconds: null,
      admin_token_ttl_seconds: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
}
