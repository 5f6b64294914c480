import autocannon from 'autocannon';
import type { CpuWindow } from './cpu-sampler.js';
import type { Disturbance } from './disturbance.js';
import type { MajorGcDelta } from './runtime-gc.js';

/** The one request a load run sends over and over. */
export interface LoadTarget {
  readonly url: string;
  readonly method?: 'GET' | 'POST';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  /** Concurrent keep-alive connections. */
  readonly connections: number;
}

/** One closed-loop load run (saturation): fixed duration or count, fixed connections. Fixed rates: paced-load.ts. */
export interface LoadOptions extends LoadTarget {
  /** Duration in seconds (ignored when `amount` is set). */
  readonly durationSeconds: number;
  /** Send exactly this many requests instead of running for a duration (e.g. one per distinct credential). */
  readonly amount?: number;
  /** Called before each request to vary it (e.g. a different key per request). Returns headers to set. */
  readonly perRequestHeaders?: () => Record<string, string>;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly requests: number;
  /** Connection errors, timeouts and non-2xx answers together: must be zero. */
  readonly errors: number;
  /** Repeated saturation runs: each repetition's throughput; `requestsPerSecond` is their median. */
  readonly requestsPerSecondRuns?: readonly number[];
  /**
   * Fixed-rate scenarios: the p99 of each repetition, in the order run; `p99Ms` is the median of the undisturbed ones
   * (`disturbedRuns`), or of all of them when too few were undisturbed (`p99OverDisturbed`).
   */
  readonly p99MsRuns?: readonly number[];
  /**
   * Fixed-rate scenarios, beside `p99MsRuns`: the neighbour burst that disturbed each repetition, undefined for an
   * undisturbed one (disturbance.ts). A disturbed repetition is repeated and left out of the median.
   */
  readonly disturbedRuns?: readonly (Disturbance | undefined)[];
  /** True when fewer repetitions than wanted were undisturbed, and `p99Ms` is the median of all of them. */
  readonly p99OverDisturbed?: boolean;
  /** Fixed-rate runs: wall-clock start and end of the recorded window (after the warm-up), ISO 8601. */
  readonly recordedWindow?: { readonly from: string; readonly to: string };
  /**
   * Fixed-rate runs: the p99 of how late the generator itself sent (or queued) its requests after they were due, a part
   * of their latency that is not the server's (pacer.ts). Fixed-rate scenarios: each repetition's, in `...Runs`.
   */
  readonly generatorLateP99Ms?: number;
  readonly generatorLateP99MsRuns?: readonly number[];
  /** Fixed-rate runs: the quarter-seconds with the slowest answers, slowest first (paced-load.ts). */
  readonly slowestQuarterSeconds?: readonly SlowQuarterSecond[];
  /** Fixed-rate scenarios: the slowest quarter-second of each repetition. */
  readonly slowestQuarterSecondRuns?: readonly (SlowQuarterSecond | undefined)[];
  /** Fixed-rate scenarios: the runtime's full (major) collections during each repetition (runtime-gc.ts). */
  readonly majorGcRuns?: readonly MajorGcDelta[];
  /**
   * What the CPUs did over each repetition (cpu-sampler.ts), `runtimeMain` being the server's main thread: fixed-rate
   * scenarios (their warm-up included) and the saturation runs of the runtime, the ceiling and the peer.
   */
  readonly cpuRuns?: readonly (CpuWindow | undefined)[];
}

/**
 * A quarter-second of a fixed-rate run, by when its requests were due, and the slowest answer among them. A p99 over
 * the limit usually comes from one such stretch; its time lines up with logs and system samplers.
 */
export interface SlowQuarterSecond {
  /** Seconds from the start of the recorded window (after the warm-up). */
  readonly offsetSeconds: number;
  /** Wall-clock start, ISO 8601 with milliseconds. */
  readonly at: string;
  readonly maxMs: number;
  /**
   * What the CPUs did from its start until its slowest answer could have come back (start + 250 ms + `maxMs`), to the
   * sampler's 100 ms: set by the bench for fixed-rate scenarios (cpu-sampler.ts).
   */
  readonly cpu?: CpuWindow;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const perRequest = options.perRequestHeaders;
  const started = performance.now();
  let lastResponseAt = started;
  let resolveResult: (result: autocannon.Result) => void = () => {};
  let rejectResult: (error: unknown) => void = () => {};
  const finished = new Promise<autocannon.Result>((resolve, reject) => {
    resolveResult = resolve;
    rejectResult = reject;
  });
  const options_ = {
    url: options.url,
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    connections: options.connections,
    ...(options.amount ? { amount: options.amount } : { duration: options.durationSeconds }),
    ...(perRequest
      ? {
          requests: [
            {
              setupRequest: (request: { headers?: Record<string, string> }) => {
                request.headers = { ...(request.headers ?? {}), ...perRequest() };
                return request;
              },
            },
          ],
        }
      : {}),
  } as autocannon.Options;
  // The callback form returns the instance, whose 'response' events give the time of the last answer.
  const instance = autocannon(options_, (error, result) => (error ? rejectResult(error) : resolveResult(result)));
  instance.on('response', () => {
    lastResponseAt = performance.now();
  });
  const result = await finished;
  // Fixed-count runs end on autocannon's one-second tick, so their rate is measured to the last response instead.
  const elapsedMs = options.amount ? lastResponseAt - started : result.finish.getTime() - result.start.getTime();
  return {
    requestsPerSecond: Math.round(result.requests.total / (Math.max(elapsedMs, 1) / 1000)),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    errors: result.errors + result.timeouts + result.non2xx,
  };
}
