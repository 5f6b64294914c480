import { describe, expect, it } from 'vitest';
import { coveringWindow, describeSpan, formatCpuWindow, type ThreadRoles } from '../../bench/cpu-sampler.js';
import { sample } from '../support/cpu-samples.js';

const ROLES: ThreadRoles = { runtimeMainTid: 10, generatorTid: 21 };

describe('CPU windows from samples', () => {
  it('sums each group between two samples, counting a thread born in between from zero', () => {
    const first = sample(
      1000,
      { 'runtime/10': [500, 40], 'runtime/11': [90, 1], 'bench/20': [3, 0], 'bench/21': [300, 5] },
      100,
    );
    const last = sample(
      1250,
      {
        'runtime/10': [640, 95],
        'runtime/11': [100, 2],
        'runtime/12': [7, 3],
        'bench/20': [4, 1],
        'bench/21': [400, 6],
        'bench/22': [9, 30],
        'postgres/30': [12, 0],
      },
      148,
      { interrupts: 3, steal: 2 },
    );
    expect(describeSpan([first, last], ROLES)).toEqual({
      sampledMs: 250,
      runtimeMain: { ranMs: 140, waitedMs: 55 },
      runtimeHelpers: { ranMs: 17, waitedMs: 4 },
      generator: { ranMs: 100, waitedMs: 1 },
      benchOther: { ranMs: 10, waitedMs: 31 },
      postgres: { ranMs: 12, waitedMs: 0 },
      // 48 ticks of 10 ms, less the 279 ms the sampled threads ran.
      otherRanMs: 201,
      busiestOthers: [],
      interruptsMs: 30,
      stealMs: 20,
    });
    // Before the generator's thread id is known, its thread counts with the bench's others.
    expect(describeSpan([first, last], { runtimeMainTid: 10 })).toMatchObject({
      generator: { ranMs: 0, waitedMs: 0 },
      benchOther: { ranMs: 110, waitedMs: 32 },
    });
  });

  it('names the other processes that ran longest, a pid reused inside the span counting from zero', () => {
    const span = [
      sample(0, {}, 0, { others: { 35: ['kworker/0:1-events', 100], 70: ['kdamond.0', 50], 90: ['old', 400] } }),
      sample(100, {}, 0, {
        others: { 35: ['kworker/0:1-mm_percpu_wq', 106], 70: ['kdamond.0', 51], 90: ['new', 5, 2] },
      }),
      sample(200, {}, 0, { others: { 35: ['kworker/0:1-events', 109], 80: ['busy-neighbour', 3], 91: ['idle', 7] } }),
    ];
    // A kernel worker renames itself with its work and stays the same process. 91 and 80 started inside the span, and
    // 90 is a new process on an old pid (another start time): all three count from zero. 90 and 70 exited before the
    // last sample: they count until the last sample that saw them.
    expect(describeSpan(span, ROLES).busiestOthers).toEqual([
      { pid: 35, name: 'kworker/0:1-events', ranMs: 90 },
      { pid: 91, name: 'idle', ranMs: 70 },
      { pid: 90, name: 'new', ranMs: 50 },
    ]);
  });

  it('counts a thread that exited inside the span until the last sample that saw it', () => {
    const span = [
      sample(0, { 'runtime/10': [0, 0], 'bench/21': [5, 1] }),
      sample(100, { 'runtime/10': [50, 2], 'bench/21': [40, 3] }),
      sample(200, { 'runtime/10': [90, 4] }),
    ];
    expect(describeSpan(span, ROLES)).toMatchObject({
      runtimeMain: { ranMs: 90, waitedMs: 4 },
      generator: { ranMs: 35, waitedMs: 2 },
    });
  });

  it('covers the asked window with the samples around it, and needs two of them', () => {
    const samples = [
      sample(0, { 'runtime/10': [0, 0] }),
      sample(100, { 'runtime/10': [10, 0] }),
      sample(200, { 'runtime/10': [30, 0] }),
      sample(300, { 'runtime/10': [60, 0] }),
    ];
    expect(coveringWindow(samples, 150, 210, ROLES)).toMatchObject({ sampledMs: 200, runtimeMain: { ranMs: 50 } });
    expect(coveringWindow(samples, 100, 200, ROLES)).toMatchObject({ sampledMs: 100, runtimeMain: { ranMs: 20 } });
    // Beyond the samples: as much of it as was sampled.
    expect(coveringWindow(samples, -50, 1000, ROLES)).toMatchObject({ sampledMs: 300, runtimeMain: { ranMs: 60 } });
    expect(coveringWindow(samples.slice(0, 1), 0, 100, ROLES)).toBeUndefined();
  });

  it('formats a window as one line', () => {
    const line = formatCpuWindow(
      describeSpan([sample(0, { 'runtime/10': [0, 0] }), sample(300, { 'runtime/10': [180, 42] }, 30)], ROLES),
    );
    expect(line).toBe(
      'over 300 ms, ran/waited ms: runtime main 180/42, runtime helpers 0/0, generator 0/0, bench other 0/0, ' +
        'postgres 0/0; other ran ~120, interrupts 0, steal 0',
    );
    const withOthers = formatCpuWindow(
      describeSpan(
        [sample(0, {}, 0, { others: { 7: ['sshd', 1] } }), sample(300, {}, 0, { others: { 7: ['sshd', 3] } })],
        ROLES,
      ),
    );
    expect(withOthers).toContain('other ran ~0 (sshd 20), interrupts 0');
  });
});
