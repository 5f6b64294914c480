import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../../runtime/src/store/migrate.js';
import { migrations } from '../../../runtime/src/store/migrations/index.js';
import { isUniqueViolation, openStore, type Store } from '../../../runtime/src/store/store.js';
import { createTestDatabase, STORE_DIALECTS, type TestDatabase } from '../../support/databases.js';

// Every shipped migration, in order: a fresh database gets all of them exactly once.
const ALL_MIGRATIONS = Object.keys(migrations);

describe.each(STORE_DIALECTS)('store on %s', (dialect) => {
  let database: TestDatabase;
  let store: Store;
  beforeAll(async () => {
    database = await createTestDatabase(dialect);
    store = openStore(database.database);
  });
  afterAll(async () => {
    await store?.close();
    await database?.drop();
  });

  it('migrates a fresh database once; re-running applies nothing', async () => {
    expect(ALL_MIGRATIONS[0]).toBe('0001-initial');
    expect(await migrateToLatest(store)).toEqual({ applied: ALL_MIGRATIONS });
    expect(await migrateToLatest(store)).toEqual({ applied: [] });
    const org = await store.db.selectFrom('orgs').selectAll().where('id', '=', 'default').executeTakeFirstOrThrow();
    expect(org.name).toBe('Default organization');
  });

  it('migrates safely when two replicas start at once on one fresh database', async () => {
    const fresh = await createTestDatabase(dialect);
    const replicas = [openStore(fresh.database), openStore(fresh.database), openStore(fresh.database)];
    try {
      const results = await Promise.all(replicas.map((s) => migrateToLatest(s)));
      expect(results.flatMap((r) => r.applied)).toEqual(ALL_MIGRATIONS);
      const orgs = await replicas[0]!.db.selectFrom('orgs').select('id').execute();
      expect(orgs).toEqual([{ id: 'default' }]);
    } finally {
      await Promise.all(replicas.map((s) => s.close()));
      await fresh.drop();
    }
  });

  it('commits and rolls back transactions', async () => {
    const now = new Date().toISOString();
    await store.transaction(async (trx) => {
      await trx
        .insertInto('orgs')
        .values({
          id: 'acme',
          name: 'Acme',
          team_token_ttl_seconds: 3600,
          admin_token_ttl_seconds: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
    });
    await expect(
      store.transaction(async (trx) => {
        await trx
          .insertInto('teams')
          .values({ id: 'team_a', org_id: 'acme', slug: 'red', name: 'Red', created_at: now })
          .execute();
        throw new Error('boom');
      }),
    ).rejects.toThrow('boom');
    expect(await store.db.selectFrom('teams').selectAll().execute()).toEqual([]);
    const acme = await store.db.selectFrom('orgs').selectAll().where('id', '=', 'acme').executeTakeFirstOrThrow();
    expect(acme.team_token_ttl_seconds).toBe(3600);
  });

  it('reports unique violations the same way in both dialects', async () => {
    const now = new Date().toISOString();
    const error = await store.db
      .insertInto('orgs')
      .values({
        id: 'default',
        name: 'again',
        team_token_ttl_seconds: null,
        admin_token_ttl_seconds: null,
        created_at: now,
        updated_at: now,
      })
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(new Error('other'))).toBe(false);
  });

  it('allows only one active signing key', async () => {
    const row = (kid: string) => ({
      kid,
      alg: 'ES256',
      public_jwk: '{}',
      private_jwk_encrypted: 'x',
      state: 'active',
      created_at: 'now',
      activated_at: 'now',
      retire_after: null,
      retired_at: null,
    });
    await store.db.insertInto('signing_keys').values(row('k1')).execute();
    const error = await store.db
      .insertInto('signing_keys')
      .values(row('k2'))
      .execute()
      .catch((e: unknown) => e);
    expect(isUniqueViolation(error)).toBe(true);
    await store.db
      .insertInto('signing_keys')
      .values({ ...row('k3'), state: 'retiring' })
      .execute();
    await store.db.deleteFrom('signing_keys').execute();
  });
});
