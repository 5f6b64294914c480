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
