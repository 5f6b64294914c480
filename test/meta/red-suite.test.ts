import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { run } from '../support/command.js';

const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const VITEST = fileURLToPath(new URL('../../node_modules/vitest/vitest.mjs', import.meta.url));
const RUN_TIMEOUT_MS = 170_000;

/** Runs the deliberately red fixture suite in a child vitest, with `TEST_DATABASE_URL` set to `databaseUrl` or unset. */
function runRedSuite(databaseUrl: string | undefined) {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  delete env.FORCE_COLOR;
  delete env.TEST_DATABASE_URL;
  // The child is a run of its own, not a worker of this one.
  for (const name of Object.keys(env)) if (name.startsWith('VITEST')) delete env[name];
  if (databaseUrl) env.TEST_DATABASE_URL = databaseUrl;
  return run(
    process.execPath,
    [VITEST, 'run', '--config', 'test/fixtures/red-suite/vitest.config.ts'],
    RUN_TIMEOUT_MS,
    {
      cwd: REPO_ROOT,
      env,
    },
  );
}

describe('a suite with a failing test', () => {
  it('exits 1 when the suites start their own embedded PostgreSQL (TEST_DATABASE_URL unset)', async () => {
    const result = await runRedSuite(undefined);
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/Tests\s+1 failed \| 1 passed/);
    expect(result.code).toBe(1);
  }, 180_000);

  it('exits 1 when the suites use a configured PostgreSQL (TEST_DATABASE_URL set)', async () => {
    const result = await runRedSuite(inject('postgresAdminUrl'));
    expect(`${result.stdout}\n${result.stderr}`).toMatch(/Tests\s+1 failed \| 1 passed/);
    expect(result.code).toBe(1);
  }, 180_000);
});
