import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { spin } from '../../test/support/cpu-samples.js';
import { CpuSampler } from '../cpu-sampler.js';
import { DISTURBANCE_MIN_MS, findDisturbance } from '../disturbance.js';

/**
 * A self-check of the bench, run by `npm run bench` before it measures (bench/checks/vitest.config.ts): it asserts on
 * CPU scheduling or wall-clock time, so it holds only on a quiet machine and is not part of `npm test`.
 */

describe('findDisturbance on live processes', () => {
  const children: ChildProcess[] = [];
  afterEach(() => {
    for (const child of children.splice(0)) child.kill('SIGKILL');
  });

  it("names another process that ran for a few hundred ms as a disturbance of the sampled processes' window", async () => {
    const neighbour = spin(400);
    children.push(neighbour);
    await once(neighbour, 'spawn');
    // This test process stands in for the runtime, and its parent for the bench: the spinning child is the neighbour.
    const sampler = new CpuSampler({
      runtimePid: process.pid,
      benchPid: process.ppid,
      postgresPids: [],
      intervalMs: 100,
    });
    // The sampler's clock (wall clock as performance.timeOrigin + performance.now()), as the bench passes it.
    const wallClock = () => performance.timeOrigin + performance.now();
    const from = wallClock();
    await once(neighbour.stdout!, 'data');
    sampler.stop();
    const { samples, roles } = sampler.recorded();
    const disturbance = findDisturbance(samples, from, wallClock(), roles);
    // 400 ms of spinning puts at least 100 ms in some 300 ms span unless three others took turns on its CPU throughout.
    expect(disturbance?.otherRanMs).toBeGreaterThanOrEqual(DISTURBANCE_MIN_MS);
    expect(disturbance?.busiestOthers.map((other) => other.pid)).toContain(neighbour.pid);
  });
});
