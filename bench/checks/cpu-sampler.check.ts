import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { spin } from '../../test/support/cpu-samples.js';
import { CpuSampler } from '../cpu-sampler.js';

/**
 * A self-check of the bench, run by `npm run bench` before it measures (bench/checks/vitest.config.ts): it asserts on
 * CPU scheduling or wall-clock time, so it holds only on a quiet machine and is not part of `npm test`.
 */

describe('CpuSampler on live processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it('shows a main thread that shared its one CPU with another process as waiting for it', async () => {
    const runtime = spin(150, { onCpu: 0 });
    const rival = spin(600, { onCpu: 0 });
    children.push(runtime, rival);
    await Promise.all([once(runtime, 'spawn'), once(rival, 'spawn')]);
    const sampler = new CpuSampler({
      runtimePid: runtime.pid as number,
      benchPid: rival.pid as number,
      postgresPids: [],
      intervalMs: 50,
    });
    await Promise.all([once(runtime.stdout!, 'data'), once(rival.stdout!, 'data')]);
    sampler.stop();
    const window = sampler.whole();
    expect(window).toBeDefined();
    // The rival's main thread is its only busy one; named as the generator, it is counted on its own.
    const { runtimeMain, benchOther: bench } = window!;
    // While both spun on the one CPU, each waited about as long as the other ran; the rival then ran on alone.
    expect(runtimeMain.ranMs).toBeGreaterThanOrEqual(140);
    expect(runtimeMain.waitedMs).toBeGreaterThanOrEqual(60);
    expect(bench.ranMs).toBeGreaterThanOrEqual(590);
    expect(bench.waitedMs).toBeGreaterThanOrEqual(60);
    expect(bench.waitedMs).toBeLessThan(bench.ranMs);
  });
});
