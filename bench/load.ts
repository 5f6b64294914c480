import autocannon from 'autocannon';
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
  /** Fixed-rate scenarios: the p99 of each repetition, in the order run; `p99Ms` is their median. */
  readonly p99MsRuns?: readonly number[];
  /**
   * Fixed-rate runs: the p99 of how late the generator itself sent (or queued) its requests after they were due, a part
   * of their latency that is not the server's (pacer.ts). Fixed-rate scenarios: each repetition's, in `...Runs`.
   */
  readonly generatorLateP99Ms?: number;
  readonly generatorLateP99MsRuns?: readonly number[];
  /** Fixed-rate scenarios: the runtime's full (major) collections during each repetition (runtime-gc.ts). */
  readonly majorGcRuns?: readonly MajorGcDelta[];
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
