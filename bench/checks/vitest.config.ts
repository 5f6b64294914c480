import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The bench's self-checks, run by `npm run bench` before it measures: they assert on CPU scheduling and wall-clock
 * time, so they hold only on a quiet machine and are not part of `npm test`. One file at a time, so that they do not
 * disturb each other.
 */
export default defineConfig({
  root: fileURLToPath(new URL('../..', import.meta.url)),
  test: {
    include: ['bench/checks/*.check.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 30_000,
    reporters: ['default'],
  },
});
