import { formatDisturbance } from './disturbance.js';
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
  /** `nice`: the scheduling priority the bench and its servers ran at (bench-priority.ts); absent in older results. */
  readonly machine: { readonly cpus: number; readonly node: string; readonly nice?: number };
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

/** The Markdown report `npm run bench` prints: scenarios, disturbed repetitions, targets (see bench/README.md). */
export function renderReport(results: BenchResults): string {
  const lines = [
    `Run ${results.startedAt} on ${results.machine.cpus} cores, Node ${results.machine.node}` +
      (results.machine.nice === undefined ? '.' : `, at nice ${results.machine.nice}.`),
    '',
    'Repeated runs show the median, then every repetition in brackets. A fixed-rate repetition marked † had a',
    "neighbour's burst in it (listed under the table): it was repeated and is left out of the median.",
    '',
    '| scenario | req/s | p50 ms | p99 ms | errors |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const [name, r] of Object.entries(results.load)) {
    const rps = r.requestsPerSecondRuns
      ? `${r.requestsPerSecond} (${r.requestsPerSecondRuns.join(', ')})`
      : r.requestsPerSecond;
    const p99Runs = r.p99MsRuns?.map((p99, index) => (r.disturbedRuns?.[index] ? `${p99}†` : `${p99}`));
    const p99 = p99Runs ? `${r.p99Ms} (${p99Runs.join(', ')})` : `${r.p99Ms}`;
    lines.push(`| ${name} | ${rps} | ${r.p50Ms} | ${p99} | ${r.errors} |`);
  }
  const disturbed = Object.entries(results.load).flatMap(([name, r]) =>
    (r.disturbedRuns ?? []).flatMap((disturbance, index) =>
      // Two lines, a list item and its continuation, to keep the report's lines short.
      disturbance ? [`- † ${name}, run ${index + 1}:`, `  ${formatDisturbance(disturbance)}.`] : [],
    ),
  );
  const overDisturbed = Object.entries(results.load).flatMap(([name, r]) =>
    r.p99OverDisturbed ? [`- ${name}: too few undisturbed runs; its p99 is the median of all of them.`] : [],
  );
  if (disturbed.length + overDisturbed.length > 0) lines.push('', ...disturbed, ...overDisturbed);
  lines.push('', '| target | measured | limit | met |', '|---|---:|---:|:---:|');
  for (const t of results.targets) {
    lines.push(
      `| ${t.name} | ${format(t.actual, t.unit)} | ${t.kind === 'min' ? '≥' : '≤'} ${format(t.limit, t.unit)} | ${t.met ? 'yes' : '**no**'} |`,
    );
  }
  return `${lines.join('\n')}\n`;
}
