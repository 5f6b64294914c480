/**
 * How the fixed-rate generator (paced-load.ts) waits for its next request's due time.
 *
 * Node's timers count whole milliseconds on a loop clock that itself moves in milliseconds, so a generator driven by
 * `setTimeout` alone sent its requests in bursts once a millisecond, each up to about 2 ms after it was due. Latency
 * runs from the due time, so that lateness was charged to the server: the bare `node:http` ceiling at 7.4k req/s
 * measured p50 1.1 ms and p99 2.2-5.2 ms, against a 5 ms target for the runtime.
 *
 * Within `TIMER_THRESHOLD_MS` of the next due time the generator instead sleeps its thread for the exact remainder
 * (`Atomics.wait`: a futex with a sub-millisecond timeout, no spinning), at most `MAX_SLEEP_MS` at a time, so that an
 * answer arriving meanwhile waits no longer than that to be read; then it lets the event loop poll its sockets
 * (`setImmediate`) and looks again. The same ceiling at the same rate: p50 0.21 ms, p99 0.36-0.5 ms (once 1.85), for
 * about 40% of a CPU instead of 23%. Lateness that remains still counts against the server, and each run reports it.
 */

/** Further than this from the next due time, a timer wakes the generator (at least 1 ms early, as timers run late). */
export const TIMER_THRESHOLD_MS = 2;
/** The longest a single sleep blocks the generator's thread, and so the longest an answer waits to be read. */
export const MAX_SLEEP_MS = 0.2;

export type PacerStep =
  /** Leave the thread to the event loop: `setTimeout` for `ms`. */
  | { readonly kind: 'timer'; readonly ms: number }
  /** Block the thread for `ms` (0: not at all), then let the event loop poll once. */
  | { readonly kind: 'sleep'; readonly ms: number };

/** What to do with `untilDueMs` left before the next request is due (zero or less: it is due). */
export function nextStep(untilDueMs: number): PacerStep {
  if (untilDueMs > TIMER_THRESHOLD_MS) return { kind: 'timer', ms: untilDueMs - TIMER_THRESHOLD_MS };
  return { kind: 'sleep', ms: Math.min(Math.max(0, untilDueMs), MAX_SLEEP_MS) };
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));

/** Waits as `step` says, then calls `then` from the event loop. */
export function waitThen(step: PacerStep, then: () => void): void {
  if (step.kind === 'timer') {
    setTimeout(then, step.ms);
    return;
  }
  // Nothing ever notifies `sleeper`: the wait always runs to its timeout.
  if (step.ms > 0) Atomics.wait(sleeper, 0, 0, step.ms);
  setImmediate(then);
}
