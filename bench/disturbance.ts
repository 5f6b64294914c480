import { describeSpan, type OtherProcess, type Sample, type ThreadRoles } from './cpu-sampler.js';

/**
 * Tells a fixed-rate repetition that a neighbour disturbed: another process on the machine (a service starting a
 * helper, say) that runs a few hundred ms of CPU within a few hundred ms. On two cores at half of saturation the
 * runtime keeps a core about 60% busy and the generator a third of the other, so during such a burst the runtime's main
 * thread waits 50-150 ms for a CPU, and a 10 s window's p99 is then the burst's, not the runtime's. The judgement reads
 * only the CPU samples, never the repetition's latencies, so a disturbed repetition is repeated whether its p99 came
 * out fast or slow, and the choice cannot flatter the result.
 */

/** Sampling intervals in the sliding span: three of the sampler's 100 ms, about as long as the bursts seen. */
export const DISTURBANCE_SPAN_INTERVALS = 3;
/**
 * CPU time in one span, outside the runtime, the bench and PostgreSQL's processes (`otherRanMs`), plus the
 * hypervisor's steal, that makes a disturbance: a third of one core. Measured bursts take 120-310 ms in a span, while
 * the slowest quarter-seconds of undisturbed repetitions see 0-26 ms, so the threshold is far from both.
 */
export const DISTURBANCE_MIN_MS = 100;

/** The worst neighbour span of a repetition. */
export interface Disturbance {
  /** Wall-clock start of the span, ISO 8601 with milliseconds. */
  readonly at: string;
  readonly spanMs: number;
  /** CPU time of every process and kernel thread outside the runtime, the bench and PostgreSQL (to a clock tick). */
  readonly otherRanMs: number;
  readonly stealMs: number;
  /** The (up to three) other processes that ran longest in the span, longest first. */
  readonly busiestOthers: readonly OtherProcess[];
}

/**
 * The span of DISTURBANCE_SPAN_INTERVALS consecutive sampling intervals, overlapping [fromMs, toMs] (wall clock), with
 * the most neighbour CPU and steal, if that reaches DISTURBANCE_MIN_MS; otherwise undefined.
 */
export function findDisturbance(
  samples: readonly Sample[],
  fromMs: number,
  toMs: number,
  roles: ThreadRoles,
): Disturbance | undefined {
  let worst: Disturbance | undefined;
  for (let first = 0; first + 1 < samples.length; first++) {
    const last = Math.min(first + DISTURBANCE_SPAN_INTERVALS, samples.length - 1);
    const span = samples.slice(first, last + 1);
    const startMs = (span[0] as Sample).atMs;
    const endMs = (span.at(-1) as Sample).atMs;
    if (endMs <= fromMs || startMs >= toMs) continue;
    const window = describeSpan(span, roles);
    const takenMs = window.otherRanMs + window.stealMs;
    if (takenMs < DISTURBANCE_MIN_MS) continue;
    if (worst && takenMs <= worst.otherRanMs + worst.stealMs) continue;
    worst = {
      at: new Date(startMs).toISOString(),
      spanMs: window.sampledMs,
      otherRanMs: window.otherRanMs,
      stealMs: window.stealMs,
      busiestOthers: window.busiestOthers,
    };
  }
  return worst;
}

/**
 * One line for stderr and the report, e.g. `backup-agent 240 ms, kswapd0 10 ms; other processes 260 ms, steal 0 ms
 * in 301 ms from 2030-01-01T12:00:00.000Z`.
 */
export function formatDisturbance(disturbance: Disturbance): string {
  const busiest = disturbance.busiestOthers.map((other) => `${other.name} ${other.ranMs} ms`).join(', ');
  return (
    `${busiest ? `${busiest}; ` : ''}other processes ${disturbance.otherRanMs} ms, steal ${disturbance.stealMs} ms ` +
    `in ${disturbance.spanMs} ms from ${disturbance.at}`
  );
}
