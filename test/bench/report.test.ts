import { describe, expect, it } from 'vitest';
import { type BenchResults, evaluate, renderReport } from '../../bench/report.js';

const BURST = {
  at: '2026-11-23T12:27:55.812Z',
  spanMs: 301,
  otherRanMs: 260,
  stealMs: 0,
  busiestOthers: [{ pid: 13979, name: 'busy-neighbour', ranMs: 240 }],
};

function results(load: BenchResults['load']): BenchResults {
  return {
    startedAt: '2026-11-23T12:24:53.306Z',
    machine: { cpus: 2, node: 'v20.20.2', nice: -5 },
    load,
    measurements: {},
    targets: [evaluate({ name: 'issuance p99 at half saturation', actual: 5.1, kind: 'max', limit: 10, unit: 'ms' })],
  };
}

describe('renderReport', () => {
  it('marks disturbed fixed-rate repetitions and lists their bursts under the table', () => {
    const report = renderReport(
      results({
        'issuance at half saturation (fixed rate)': {
          requestsPerSecond: 2724,
          p50Ms: 0.72,
          p99Ms: 5.1,
          requests: 27240,
          errors: 0,
          p99MsRuns: [6.31, 38.18, 4.17, 5.1],
          disturbedRuns: [undefined, BURST, undefined, undefined],
        },
      }),
    );
    expect(report).toContain(
      '| issuance at half saturation (fixed rate) | 2724 | 0.72 | 5.1 (6.31, 38.18†, 4.17, 5.1) | 0 |',
    );
    expect(report).toContain(
      '- † issuance at half saturation (fixed rate), run 2:\n' +
        '  busy-neighbour 240 ms; other processes 260 ms, steal 0 ms in 301 ms from 2026-11-23T12:27:55.812Z.',
    );
    expect(report).toContain('| issuance p99 at half saturation | 5.1 ms | ≤ 10 ms | yes |');
  });

  it('says when too few repetitions were undisturbed, and lists nothing when none was', () => {
    const overDisturbed = renderReport(
      results({
        paced: {
          requestsPerSecond: 100,
          p50Ms: 1,
          p99Ms: 30,
          requests: 1000,
          errors: 0,
          p99MsRuns: [30, 4],
          disturbedRuns: [BURST, BURST],
          p99OverDisturbed: true,
        },
      }),
    );
    expect(overDisturbed).toContain('| paced | 100 | 1 | 30 (30†, 4†) | 0 |');
    expect(overDisturbed).toContain('- paced: too few undisturbed runs; its p99 is the median of all of them.');
    const quiet = renderReport(
      results({
        paced: { requestsPerSecond: 100, p50Ms: 1, p99Ms: 3, requests: 1000, errors: 0, p99MsRuns: [3, 2, 4] },
      }),
    );
    expect(quiet).toContain('| paced | 100 | 1 | 3 (3, 2, 4) | 0 |');
    expect(quiet).not.toContain('- †');
  });
});
