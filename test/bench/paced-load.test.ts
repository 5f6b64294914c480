import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { completeResponse, runPacedLoad } from '../../bench/paced-load.js';

let server: Server | undefined;

async function serve(listener: RequestListener): Promise<string> {
  server = createServer(listener);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe?x=1`;
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
});

describe('completeResponse', () => {
  it('frames a Content-Length body and waits for all of it', () => {
    const head = 'HTTP/1.1 201 Created\r\nContent-Length: 5\r\n\r\n';
    expect(completeResponse(Buffer.from(`${head}abc`))).toBeUndefined();
    expect(completeResponse(Buffer.from(`${head}abcdeHTTP/1.1`))).toEqual({ length: head.length + 5, status: 201 });
  });

  it('frames a chunked body up to its last chunk', () => {
    const head = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
    expect(completeResponse(Buffer.from(`${head}3\r\nabc\r\n`))).toBeUndefined();
    const whole = `${head}3\r\nabc\r\n0\r\n\r\n`;
    expect(completeResponse(Buffer.from(whole))).toEqual({ length: whole.length, status: 200 });
  });

  it('waits for the end of the headers', () => {
    expect(completeResponse(Buffer.from('HTTP/1.1 200 OK\r\nContent-Le'))).toBeUndefined();
  });
});

describe('runPacedLoad', () => {
  it('sends exactly rate × duration requests, with the method, headers and body given', async () => {
    const seen: string[] = [];
    const url = await serve((request, response) => {
      let body = '';
      request.on('data', (chunk) => {
        body += chunk;
      });
      request.on('end', () => {
        seen.push(`${request.method} ${request.url} ${request.headers['x-probe']} ${body}`);
        response.end('ok');
      });
    });
    const result = await runPacedLoad({
      url,
      method: 'POST',
      headers: { 'x-probe': 'yes' },
      body: 'a=1',
      connections: 4,
      rate: 200,
      durationSeconds: 0.5,
      warmupSeconds: 0,
    });
    expect(result.requests).toBe(100);
    expect(result.errors).toBe(0);
    // The generator's own lateness is a part of every latency, so never above them.
    expect(result.generatorLateP99Ms).toBeGreaterThanOrEqual(0);
    expect(result.generatorLateP99Ms).toBeLessThanOrEqual(result.p99Ms);
    expect(seen).toHaveLength(100);
    expect(new Set(seen)).toEqual(new Set(['POST /probe?x=1 yes a=1']));
  });

  it('names the quarter-seconds with the slowest answers, slowest first', async () => {
    let arrived = 0;
    const url = await serve((_request, response) => {
      arrived++;
      // The 110th request is due 0.545 s into the window: the quarter-second that starts at 0.5 s.
      if (arrived === 110) setTimeout(() => response.end(), 300);
      else response.end();
    });
    // The clock the bench's samplers use (Date.now() may differ from it by some milliseconds).
    const wallClock = () => performance.timeOrigin + performance.now();
    const before = wallClock();
    const result = await runPacedLoad({ url, connections: 4, rate: 200, durationSeconds: 1, warmupSeconds: 0 });
    const [slowest, ...others] = result.slowestQuarterSeconds ?? [];
    expect(slowest?.offsetSeconds).toBe(0.5);
    expect(slowest?.maxMs).toBeGreaterThanOrEqual(299);
    expect(Date.parse(slowest?.at ?? '') - before).toBeGreaterThanOrEqual(450);
    expect(others).toHaveLength(2);
    for (const other of others) expect(other.maxMs).toBeLessThanOrEqual(slowest?.maxMs ?? 0);
    expect(others[0]?.maxMs).toBeGreaterThanOrEqual(others[1]?.maxMs ?? 0);
  });

  it('sends the warm-up at the same pace but records only what follows it, and says when that was', async () => {
    let served = 0;
    const url = await serve((_request, response) => {
      served++;
      response.end();
    });
    // The clock the bench's samplers use (Date.now() may differ from it by some milliseconds).
    const wallClock = () => performance.timeOrigin + performance.now();
    const before = wallClock();
    const result = await runPacedLoad({ url, connections: 2, rate: 100, durationSeconds: 0.2, warmupSeconds: 0.3 });
    const after = wallClock();
    expect(served).toBe(50);
    expect(result.requests).toBe(20);
    expect(result.requestsPerSecond).toBeGreaterThan(80);
    expect(result.requestsPerSecond).toBeLessThan(125);
    // The recorded window, in wall-clock time: it opens after the 0.3 s warm-up and lasts the 0.2 s schedule.
    const from = Date.parse(result.recordedWindow?.from ?? '');
    const to = Date.parse(result.recordedWindow?.to ?? '');
    // ISO strings hold whole milliseconds. The window ends at the schedule's nominal end, one interval (10 ms) after
    // the last request was due, which may come after the last answer.
    expect(from - before).toBeGreaterThanOrEqual(299);
    expect(to - from).toBeGreaterThanOrEqual(199);
    expect(to).toBeLessThanOrEqual(after + 11);
  });

  it('counts answers that are not 2xx as errors, not as latencies', async () => {
    let count = 0;
    const url = await serve((_request, response) => {
      response.statusCode = count++ % 2 === 0 ? 200 : 503;
      response.end();
    });
    const result = await runPacedLoad({ url, connections: 2, rate: 100, durationSeconds: 0.2, warmupSeconds: 0 });
    expect(result.requests + result.errors).toBe(20);
    expect(result.errors).toBe(10);
  });

  it('charges time spent queued for a busy connection to the latency (no coordinated omission)', async () => {
    // One connection, a server taking 40 ms per answer, and a request due every 10 ms: requests pile up behind
    // each other, so late ones wait far longer than 40 ms. A closed-loop client would report about 40 ms.
    const url = await serve((_request, response) => {
      setTimeout(() => response.end('slow'), 40);
    });
    const result = await runPacedLoad({
      url,
      connections: 1,
      rate: 100,
      durationSeconds: 0.2,
      warmupSeconds: 0,
      drainMs: 5000,
    });
    expect(result.requests).toBe(20);
    expect(result.p50Ms).toBeGreaterThanOrEqual(40);
    expect(result.p99Ms).toBeGreaterThan(500);
  });

  it("uses every connection in turn, so none sits idle past the server's keep-alive timeout", async () => {
    // Eight connections and a request every 20 ms. The first eight answers take 200 ms, so every connection carries
    // one (Node starts a connection's keep-alive timer after its first answer); the rest are answered at once. Picked
    // last-used-first, one connection would carry them all while seven idled past the keep-alive timeout (100 ms,
    // to which Node 20 adds a second).
    let served = 0;
    const url = await serve((_request, response) => {
      setTimeout(() => response.end('ok'), served++ < 8 ? 200 : 0);
    });
    (server as Server).keepAliveTimeout = 100;
    const closedByServer: number[] = [];
    server?.on('connection', (socket) => {
      socket.on('close', () => closedByServer.push(performance.now()));
    });
    const result = await runPacedLoad({ url, connections: 8, rate: 50, durationSeconds: 2, warmupSeconds: 0 });
    expect(result.errors).toBe(0);
    expect(result.requests).toBe(100);
    expect(closedByServer).toEqual([]);
  });

  it('counts requests still unanswered after the drain window as errors', async () => {
    const url = await serve(() => {
      // never answers
    });
    const result = await runPacedLoad({
      url,
      connections: 2,
      rate: 50,
      durationSeconds: 0.1,
      warmupSeconds: 0,
      drainMs: 100,
    });
    expect(result.requests).toBe(0);
    expect(result.errors).toBe(5);
  });
});
