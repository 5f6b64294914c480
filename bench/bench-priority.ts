import { getPriority, setPriority } from 'node:os';

/**
 * The scheduling priority (nice value) the bench asks for, for itself and for everything it starts: the runtime, the
 * ceiling and the peer alike, and the fixed-rate generator's worker threads.
 *
 * Why: a machine usually runs services of its own beside the bench, and a neighbour that wakes up for a few hundred
 * ms of CPU (a periodic health check starting a fresh process, say) puts the worst stretch of a fixed-rate repetition
 * inside its burst. At nice 0 it shares a small machine's cores with the runtime as an equal; at -5 the kernel gives
 * the bench's processes three times its weight (-20 does no better). A burst still takes a core whatever the weights,
 * so a fixed-rate repetition that holds one is repeated (disturbance.ts). The ratios are unchanged by it, since the
 * ceiling, the peer and the runtime all run at the same priority. PostgreSQL's server is not the bench's and keeps its
 * own (the hot paths do not query it).
 */
export const BENCH_NICE = -5;

export interface BenchPriority {
  /** The nice value the bench's main thread runs at. */
  readonly nice: number;
  /** Why it could not be raised (raising needs root or CAP_SYS_NICE); absent when it was. */
  readonly notRaised?: string;
}

/**
 * Raises the calling thread's priority to BENCH_NICE. On Linux a nice value is per thread and inherited by the threads
 * and processes a thread creates afterwards, so call it on the main thread before starting any server or worker.
 */
export function raiseBenchPriority(): BenchPriority {
  try {
    setPriority(BENCH_NICE);
    return { nice: getPriority() };
  } catch (error) {
    return { nice: getPriority(), notRaised: (error as Error).message };
  }
}
