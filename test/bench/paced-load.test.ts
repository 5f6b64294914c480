import { describe, expect, it } from 'vitest';
import { completeResponse, runPacedLoad } from '../../bench/paced-load.js';
import { probeServers } from '../support/probe-server.js';

const probe = probeServers();

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
    const { url } = await probe.serve((request, response) => {
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

  it('counts answers that are not 2xx as errors, not as latencies', async () => {
    let count = 0;
    const { url } = await probe.serve((_request, response) => {
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
    const { url } = await probe.serve((_request, response) => {
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

  it('counts requests still unanswered after the drain window as errors', async () => {
    const { url } = await probe.serve(() => {
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
