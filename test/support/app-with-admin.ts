import { afterAll, beforeAll } from 'vitest';
import type { StoreDialect } from '../../runtime/src/store/store.js';
import { bootstrapAdminKey } from '../runtime/auth/helpers.js';
import { type StartTestAppOptions, startTestApp, type TestApp } from './app.js';

/** A running test app and its bootstrap admin key; both are filled in by `beforeAll`, so read them inside tests. */
export interface AppWithAdmin {
  app: TestApp;
  admin: string;
}

/**
 * Registers the usual per-suite hooks: `beforeAll` starts one test app on `dialect` and mints its bootstrap admin key,
 * `afterAll` closes it. One app per describe block keeps the suite lean (see RULES: share servers within a file).
 */
export function useAppWithAdmin(
  dialect: StoreDialect,
  options: Omit<StartTestAppOptions, 'dialect'> = {},
): AppWithAdmin {
  // Filled in by beforeAll before any test reads them; the casts stand for "not yet started".
  const suite: AppWithAdmin = { app: undefined as unknown as TestApp, admin: '' };
  beforeAll(async () => {
    suite.app = await startTestApp({ ...options, dialect });
    suite.admin = await bootstrapAdminKey(suite.app);
  });
  afterAll(() => suite.app?.close());
  return suite;
}

/** Two replicas of the runtime on one PostgreSQL database, and an admin key minted through the first. */
export interface TwoReplicasWithAdmin {
  first: TestApp;
  second: TestApp;
  admin: string;
}

/**
 * Registers hooks for cross-replica suites: `beforeAll` starts `first` on a fresh PostgreSQL database and `second`
 * on the same database (so changes must travel through the store and the invalidation bus), then mints the admin
 * key through `first`; `afterAll` closes `second` before `first`, because `first` owns and drops the database.
 */
export function useTwoReplicasWithAdmin(): TwoReplicasWithAdmin {
  // Filled in by beforeAll before any test reads them; the casts stand for "not yet started".
  const suite: TwoReplicasWithAdmin = {
    first: undefined as unknown as TestApp,
    second: undefined as unknown as TestApp,
    admin: '',
  };
  beforeAll(async () => {
    suite.first = await startTestApp({ dialect: 'postgres' });
    suite.second = await startTestApp({ dialect: 'postgres', database: suite.first.database });
    suite.admin = await bootstrapAdminKey(suite.first);
  });
  afterAll(async () => {
    await suite.second?.close();
    await suite.first?.close();
  });
  return suite;
}
