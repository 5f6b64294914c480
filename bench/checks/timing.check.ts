import { describe, expect, it } from 'vitest';
import { waitThen } from '../pacer.js';

/**
 * A self-check of the bench, run by `npm run bench` before it measures (bench/checks/vitest.config.ts): it asserts on
 * CPU scheduling or wall-clock time, so it holds only on a quiet machine and is not part of `npm test`.
 */

describe('waitThen on the clock', () => {
  it('returns at once for a timer and calls back once it has run', async () => {
    const started = performance.now();
    const called = new Promise<number>((resolve) =>
      waitThen({ kind: 'timer', ms: 20 }, () => resolve(performance.now())),
    );
    expect(performance.now() - started).toBeLessThan(20);
    expect((await called) - started).toBeGreaterThanOrEqual(19);
  });
});
