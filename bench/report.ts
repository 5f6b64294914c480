import type { LoadResult } from './load.js';

export interface Target {
  readonly name: string;
  readonly actual: number;
  /** `min`: actual must be >= limit; `max`: actual must be <= limit. */
  readonly kind: 'min' | 'max';
  readonly limit: number;
  readonly unit: string;
}

export interface BenchResults {
  readonly startedAt: string;
  readonly machine: { readonly cpus: number; readonly node: string };
  readonly load: Record<string, LoadResult>;
  readonly measurements: Record<string, number>;
  readonly targets: readonly (Target & { readonly met: boolean })[];
}

export function evaluate(target: Target): Target & { met: boolean } {
  return { ...target, met: target.kind === 'min' ? target.actual >= target.limit : target.actual <= target.limit };
}

function format(value: number, unit: string): string {
  if (unit === '%') return `${value.toFixed(0)} %`;
  if (unit === 'x') return `${value.toFixed(2)}x`;
  return `${value} ${unit}`;
}

/** The Markdown report `npm run bench` prints: scenarios, then targets (see bench/README.md). */
export function renderReport(results: BenchResults): string {
  const lines = [
    `Run ${results.startedAt} on ${results.machine.cpus} cores, Node ${results.machine.node}.`,
    '',
    'Repeated runs show the median, then every repetition in brackets.',
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [name, r] of Object.entries(results.load)) {
    const rps = r.requestsPerSecondRuns
      ? `${r.requestsPerSecond} (${r.requestsPerSecondRuns.join(', ')})`
      : r.requestsPerSecond;
    const p99 = r.p99MsRuns ? `${r.p99Ms} (${r.p99MsRuns.join(', ')})` : `${r.p99Ms}`;
    lines.push(`| ${name} | ${rps} | ${r.p50Ms} | ${p99} | ${r.errors} |`);
  }
  lines.push('', '| target | measured | limit | met |', '|---|---:|---:|:---:|');
  for (const t of results.targets) {
    lines.push(
      `| ${t.name} | ${format(t.actual, t.unit)} | ${t.kind === 'min' ? '≥' : '≤'} ${format(t.limit, t.unit)} | ${t.met ? 'yes' : '**no**'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
