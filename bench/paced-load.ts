import { connect, type Socket } from 'node:net';
import type { LoadResult, LoadTarget } from './load.js';
import { nextStep, waitThen } from './pacer.js';

/**
 * Open-loop load at a fixed rate (wrk2's method), for latency at a given throughput.
 *
 * autocannon's `overallRate` is not a fixed rate: each connection fires its whole per-second quota back to back when
 * its one-second interval ticks, then idles, so a "half saturation" run is a saturating burst at the top of every
 * second. Here request i is due at `start + i / rate`, is sent on the keep-alive connection idle longest (queued in
 * the client while none is idle), and its latency runs from when it was due, not from when it was sent. Time a request
 * spends waiting for a connection, or for the generator itself, therefore counts against the server: the result errs
 * on the slow side, never the flattering one. The generator keeps its own lateness small (pacer.ts: sub-millisecond
 * sleeps, not millisecond timers) and reports it (`generatorLateP99Ms`).
 */
export interface PacedLoadOptions extends LoadTarget {
  /** Requests per second, spread evenly. */
  readonly rate: number;
  readonly durationSeconds: number;
  /**
   * Paced requests sent first and not recorded (errors still count), so that fresh connections, lazily compiled
   * code and first allocations are not measured as tail latency; wrk2 calibrates the same way. Default 1 s.
   */
  readonly warmupSeconds?: number;
  /** How long to wait for answers still outstanding when the schedule ends; those left are counted as errors. */
  readonly drainMs?: number;
}

interface Connection {
  readonly socket: Socket;
  /** When the request in flight on this connection was due; undefined when idle. */
  dueAt: number | undefined;
  buffered: Buffer;
}

const HEADER_END = Buffer.from('\r\n\r\n');

/** Serialises the one request every connection sends, once. */
function requestBytes(options: PacedLoadOptions, url: URL): Buffer {
  const body = options.body === undefined ? undefined : Buffer.from(options.body);
  const lines = [`${options.method ?? 'GET'} ${url.pathname}${url.search} HTTP/1.1`, `host: ${url.host}`];
  for (const [name, value] of Object.entries(options.headers ?? {})) lines.push(`${name}: ${value}`);
  if (body) lines.push(`content-length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

/**
 * Length of the first complete response in `data`, with its status, or undefined if more bytes are needed.
 * Handles Content-Length and chunked bodies, which is all a keep-alive HTTP/1.1 server sends.
 */
export function completeResponse(data: Buffer): { length: number; status: number } | undefined {
  const headerEnd = data.indexOf(HEADER_END);
  if (headerEnd < 0) return undefined;
  const head = data.toString('latin1', 0, headerEnd);
  const status = Number(head.slice(9, 12));
  const bodyStart = headerEnd + HEADER_END.length;
  const contentLength = /\r\ncontent-length:\s*(\d+)/i.exec(head);
  if (contentLength) {
    const length = bodyStart + Number(contentLength[1]);
    return data.length >= length ? { length, status } : undefined;
  }
  if (/\r\ntransfer-encoding:\s*chunked/i.test(head)) {
    let offset = bodyStart;
    for (;;) {
      const lineEnd = data.indexOf('\r\n', offset, 'latin1');
      if (lineEnd < 0) return undefined;
      const size = Number.parseInt(data.toString('latin1', offset, lineEnd), 16);
      if (Number.isNaN(size)) throw new Error('malformed chunk size in a chunked response');
      offset = lineEnd + 2 + size + 2;
      if (size === 0) return data.length >= offset ? { length: offset, status } : undefined;
      if (data.length < offset) return undefined;
    }
  }
  // No body framing: only bodiless answers (204, 304) are valid on a keep-alive connection.
  return { length: bodyStart, status };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return 0;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return Math.round((sorted[Math.max(0, index)] as number) * 100) / 100;
}

export async function runPacedLoad(options: PacedLoadOptions): Promise<LoadResult> {
  const url = new URL(options.url);
  const request = requestBytes(options, url);
  const warmup = Math.round(options.rate * (options.warmupSeconds ?? 1));
  const total = warmup + Math.round(options.rate * options.durationSeconds);
  const intervalMs = 1000 / options.rate;
  const latencies = new Float64Array(total);
  /** How late the generator itself handled each recorded request, from its due time: already inside its latency. */
  const generatorLateness = new Float64Array(total);
  let handledLate = 0;
  /** Answers received (2xx), warm-up included; `recorded` of them are measured. */
  let answered = 0;
  let recorded = 0;
  let measureFrom = Number.POSITIVE_INFINITY;
  let errors = 0;
  /**
   * Idle connections, longest idle first. Taking the longest idle one keeps every connection busy every few ms; taking
   * the last one used left most of them idle past the server's keep-alive timeout (Node's default is 5 s), and one it
   * closed just as a request went out lost that request.
   */
  const idle: Connection[] = [];
  /** Due times of requests waiting for an idle connection, oldest first. */
  const waiting: number[] = [];
  let waitingHead = 0;

  const connections = await Promise.all(
    Array.from(
      { length: options.connections },
      () =>
        new Promise<Connection>((resolve, reject) => {
          const socket = connect({ host: url.hostname, port: Number(url.port), noDelay: true });
          socket.once('error', reject);
          socket.once('connect', () => resolve({ socket, dueAt: undefined, buffered: Buffer.alloc(0) }));
        }),
    ),
  );

  const send = (connection: Connection, dueAt: number) => {
    connection.dueAt = dueAt;
    connection.socket.write(request);
  };
  let settle: () => void = () => {};
  const settled = new Promise<void>((resolve) => {
    settle = resolve;
  });
  const checkSettled = () => {
    if (answered + errors === total) settle();
  };

  for (const connection of connections) {
    idle.push(connection);
    connection.socket.on('data', (chunk: Buffer) => {
      connection.buffered = connection.buffered.length ? Buffer.concat([connection.buffered, chunk]) : chunk;
      for (;;) {
        const response = completeResponse(connection.buffered);
        if (!response || connection.dueAt === undefined) break;
        const dueAt = connection.dueAt;
        connection.buffered = connection.buffered.subarray(response.length);
        connection.dueAt = undefined;
        if (response.status < 200 || response.status >= 300) errors++;
        else {
          answered++;
          if (dueAt >= measureFrom) {
            latencies[recorded++] = performance.now() - dueAt;
          }
        }
        if (waitingHead < waiting.length) send(connection, waiting[waitingHead++] as number);
        else idle.push(connection);
      }
      checkSettled();
    });
    connection.socket.on('error', () => {
      // 'close' follows and does the accounting.
    });
    connection.socket.on('close', () => {
      // A closed connection loses its request in flight; it is counted, and the connection is not reused.
      if (connection.dueAt !== undefined) errors++;
      connection.dueAt = undefined;
      const index = idle.indexOf(connection);
      if (index >= 0) idle.splice(index, 1);
      checkSettled();
    });
  }

  const start = performance.now();
  measureFrom = start + warmup * intervalMs;
  let scheduled = 0;
  await new Promise<void>((resolve) => {
    const tick = () => {
      const now = performance.now();
      const due = Math.min(total, Math.floor((now - start) / intervalMs) + 1);
      for (; scheduled < due; scheduled++) {
        const dueAt = start + scheduled * intervalMs;
        if (dueAt >= measureFrom) generatorLateness[handledLate++] = now - dueAt;
        const connection = idle.shift();
        if (connection) send(connection, dueAt);
        else waiting.push(dueAt);
      }
      if (scheduled < total) waitThen(nextStep(start + scheduled * intervalMs - performance.now()), tick);
      else resolve();
    };
    tick();
  });
  // The schedule's nominal end, or later if the generator itself fell behind it.
  const scheduleEnd = Math.max(performance.now(), start + total * intervalMs);

  const drained = await Promise.race([
    settled.then(() => true),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), options.drainMs ?? 2000).unref()),
  ]);
  for (const connection of connections) connection.socket.destroy();
  if (!drained) errors = total - answered;

  const sorted = latencies.subarray(0, recorded).sort();
  return {
    requestsPerSecond: Math.round(recorded / ((scheduleEnd - measureFrom) / 1000)),
    p50Ms: percentile(sorted, 50),
    p99Ms: percentile(sorted, 99),
    requests: recorded,
    errors,
    generatorLateP99Ms: percentile(generatorLateness.subarray(0, handledLate).sort(), 99),
  };
}
