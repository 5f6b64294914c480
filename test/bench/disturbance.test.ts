import { describe, expect, it } from 'vitest';
import type { ThreadRoles } from '../../bench/cpu-sampler.js';
import { DISTURBANCE_MIN_MS, findDisturbance, formatDisturbance } from '../../bench/disturbance.js';
import { sample } from '../support/cpu-samples.js';

const ROLES: ThreadRoles = { runtimeMainTid: 10, generatorTid: 21 };

/**
 * Samples 100 ms apart from 0 while the runtime's main thread runs 60 ms of each interval; `neighbour(i)` gives the
 * cumulative ticks (10 ms) of a neighbour process `busy-neighbour` at sample i, and `steal(i)` the machine's steal ticks.
 * The machine's process ticks are the runtime's plus the neighbour's.
 */
function timeline(count: number, neighbour: (i: number) => number, steal: (i: number) => number = () => 0) {
  return Array.from({ length: count }, (_, i) =>
    sample(i * 100, { 'runtime/10': [i * 60, 0] }, i * 6 + neighbour(i), {
      steal: steal(i),
      others: { 4000: ['busy-neighbour', neighbour(i)] },
    }),
  );
}

describe('findDisturbance', () => {
  it('finds nothing in a quiet repetition, and nothing under the threshold', () => {
    expect(
      findDisturbance(
        timeline(40, () => 0),
        0,
        4000,
        ROLES,
      ),
    ).toBeUndefined();
    // Just under: 0, 3, 6, 9 ticks at samples 10-13, then no more: 90 ms between 1.0 and 1.3 s.
    const underThreshold = timeline(40, (i) => (i <= 10 ? 0 : i <= 13 ? (i - 10) * 3 : 9));
    expect(findDisturbance(underThreshold, 0, 4000, ROLES)).toBeUndefined();
    // Exactly the threshold in three intervals counts.
    expect(DISTURBANCE_MIN_MS).toBe(100);
    // 0, 3, 6, 10 ticks at samples 10-13, then no more: 100 ms between 1.0 and 1.3 s.
    const atThreshold = timeline(40, (i) => (i <= 10 ? 0 : i <= 12 ? (i - 10) * 3 : 10));
    expect(findDisturbance(atThreshold, 0, 4000, ROLES)).toBeDefined();
  });

  it('names the worst burst and the process behind it', () => {
    // A 240 ms burst between 1.2 s and 1.5 s, and a smaller one of 120 ms later.
    const burst = (i: number) =>
      i <= 12 ? 0 : i <= 15 ? (i - 12) * 8 : i <= 30 ? 24 : i <= 33 ? 24 + (i - 30) * 4 : 36;
    const disturbance = findDisturbance(timeline(40, burst), 0, 4000, ROLES);
    expect(disturbance).toEqual({
      at: new Date(1200).toISOString(),
      spanMs: 300,
      otherRanMs: 240,
      stealMs: 0,
      busiestOthers: [{ pid: 4000, name: 'busy-neighbour', ranMs: 240 }],
    });
    expect(formatDisturbance(disturbance!)).toBe(
      `busy-neighbour 240 ms; other processes 240 ms, steal 0 ms in 300 ms from ${new Date(1200).toISOString()}`,
    );
  });

  it('counts the hypervisor stealing the CPU like a neighbour running on it', () => {
    const disturbance = findDisturbance(
      timeline(
        40,
        () => 0,
        (i) => (i <= 20 ? 0 : i <= 23 ? (i - 20) * 4 : 12),
      ),
      0,
      4000,
      ROLES,
    );
    expect(disturbance).toMatchObject({ otherRanMs: 0, stealMs: 120, busiestOthers: [] });
  });

  it('looks only at spans that overlap the recorded window', () => {
    // The burst is in the warm-up, 0.3-0.6 s, before the window opens at 1 s.
    const inWarmUp = timeline(40, (i) => (i <= 3 ? 0 : i <= 6 ? (i - 3) * 8 : 24));
    expect(findDisturbance(inWarmUp, 1000, 4000, ROLES)).toBeUndefined();
    expect(findDisturbance(inWarmUp, 500, 4000, ROLES)).toMatchObject({ otherRanMs: 240 });
  });
});
