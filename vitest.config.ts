import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // PostgreSQL for the runtime suites: TEST_DATABASE_URL, or an embedded server started once per run.
    globalSetup: ['test/support/global-setup.ts'],
    // Suites start real servers (PostgreSQL, the runtime, Chromium); one worker per core keeps them from starving.
    pool: 'forks',
    maxWorkers: 2,
    testTimeout: 30_000,
    hookTimeout: 120_000,
    reporters: ['default'],
  },
});
