import { describe, expect, it, vi } from 'vitest';
import { probeServers } from '../../test/support/probe-server.js';
import { runPacedLoad } from '../paced-load.js';
import { waitThen } from '../pacer.js';

/**
 * A self-check of the bench, run by `npm run bench` before it measures (bench/checks/vitest.config.ts): whether the
 * generator sleeps sub-millisecond remainders depends on how fast this machine answers, so it is not part of
 * `npm test`.
 */

// The real pacer, observed: every wait of the generator goes through it.
vi.mock(import('../pacer.js'), async (importOriginal) => {
  const actual = await importOriginal();
  return { ...actual, waitThen: vi.fn(actual.waitThen) };
});

const probe = probeServers();

describe('runPacedLoad pacing', () => {
  it('waits out sub-millisecond remainders with sleeps, not with millisecond timers', async () => {
    const { url } = await probe.serve((_request, response) => response.end());
    // A request every 0.5 ms: after each send the next one is due in under a millisecond.
    const result = await runPacedLoad({ url, connections: 4, rate: 2000, durationSeconds: 0.2, warmupSeconds: 0 });
    expect(result.requests + result.errors).toBe(400);
    const steps = vi.mocked(waitThen).mock.calls.map(([step]) => step);
    const subMillisecondSleeps = steps.filter((step) => step.kind === 'sleep' && step.ms > 0 && step.ms < 1);
    expect(subMillisecondSleeps.length).toBeGreaterThan(0);
    expect(steps.filter((step) => step.kind === 'timer')).toEqual([]);
  });
});
