import { describe, expect, it } from 'vitest';
import { type BenchResults, evaluate, renderReport } from '../../bench/report.js';

function results(load: BenchResults['load']): BenchResults {
  return {
    startedAt: '2026-11-23T12:24:53.306Z',
    machine: { cpus: 2, node: 'v20.20.2' },
    load,
    measurements: {},
    targets: [
      evaluate({ name: 'issuance p99 at half saturation', actual: 5.1, kind: 'max', limit: 10, unit: 'ms' }),
      evaluate({ name: 'issuance / oidc-provider peer', actual: 1.93, kind: 'min', limit: 2, unit: 'x' }),
    ],
  };
}

describe('renderReport', () => {
  it('shows the median of repeated runs with every repetition beside it', () => {
    const report = renderReport(
      results({
        'issuance (client credentials)': {
          requestsPerSecond: 9040,
          p50Ms: 3,
          p99Ms: 7,
          requests: 27120,
          errors: 0,
          requestsPerSecondRuns: [8990, 9040, 9210],
        },
        'issuance at half saturation (fixed rate)': {
          requestsPerSecond: 4520,
          p50Ms: 0.72,
          p99Ms: 5.1,
          requests: 45200,
          errors: 0,
          p99MsRuns: [6.31, 4.17, 5.1],
        },
        'cold cache': { requestsPerSecond: 3000, p50Ms: 9, p99Ms: 20, requests: 4000, errors: 1 },
      }),
    );
    expect(report).toContain('| issuance (client credentials) | 9040 (8990, 9040, 9210) | 3 | 7 | 0 |');
    expect(report).toContain('| issuance at half saturation (fixed rate) | 4520 | 0.72 | 5.1 (6.31, 4.17, 5.1) | 0 |');
    expect(report).toContain('| cold cache | 3000 | 9 | 20 | 1 |');
  });

  it('lists each target with its measured value, its limit and whether it was met', () => {
    const report = renderReport(results({}));
    expect(report).toContain('| issuance p99 at half saturation | 5.1 ms | ≤ 10 ms | yes |');
    expect(report).toContain('| issuance / oidc-provider peer | 1.93x | ≥ 2.00x | **no** |');
  });
});
