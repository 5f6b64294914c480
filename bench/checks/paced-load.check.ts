import { describe, expect, it } from 'vitest';
import { probeServers } from '../../test/support/probe-server.js';
import { startChildServer } from '../child-server.js';
import { runPacedLoad } from '../paced-load.js';
import { runPacedLoadOnWorker } from '../paced-load-worker.js';

/**
 * A self-check of the bench, run by `npm run bench` before it measures (bench/checks/vitest.config.ts): it asserts on
 * CPU scheduling or wall-clock time, so it holds only on a quiet machine and is not part of `npm test`.
 */

const probe = probeServers();

describe('runPacedLoad on a live server', () => {
  it('sends the warm-up at the same pace but records only what follows it', async () => {
    let served = 0;
    const { url } = await probe.serve((_request, response) => {
      served++;
      response.end();
    });
    const result = await runPacedLoad({ url, connections: 2, rate: 100, durationSeconds: 0.2, warmupSeconds: 0.3 });
    expect(served).toBe(50);
    expect(result.requests).toBe(20);
    expect(result.requestsPerSecond).toBeGreaterThan(80);
    expect(result.requestsPerSecond).toBeLessThan(125);
  });

  it("uses every connection in turn, so none sits idle past the server's keep-alive timeout", async () => {
    // Eight connections and a request every 20 ms. The first eight answers take 200 ms, so every connection carries
    // one (Node starts a connection's keep-alive timer after its first answer); the rest are answered at once. Picked
    // last-used-first, one connection would carry them all while seven idled past the keep-alive timeout (100 ms,
    // to which Node 20 adds a second).
    let served = 0;
    const { url, server } = await probe.serve((_request, response) => {
      setTimeout(() => response.end('ok'), served++ < 8 ? 200 : 0);
    });
    server.keepAliveTimeout = 100;
    const closedByServer: number[] = [];
    server.on('connection', (socket) => {
      socket.on('close', () => closedByServer.push(performance.now()));
    });
    const result = await runPacedLoad({ url, connections: 8, rate: 50, durationSeconds: 2, warmupSeconds: 0 });
    expect(result.errors).toBe(0);
    expect(result.requests).toBe(100);
    expect(closedByServer).toEqual([]);
  });
});

describe('runPacedLoadOnWorker on a live server', () => {
  it('keeps its pace while the main thread is blocked (the point of the worker)', async () => {
    // The server is its own process, so only the generator's thread matters. A generator on the main thread would send
    // nothing during the 400 ms block and charge every request due then (about half of them) with up to 400 ms.
    const server = await startChildServer('bench/ceiling-server.ts');
    try {
      const running = runPacedLoadOnWorker({
        url: `http://127.0.0.1:${server.port}/`,
        connections: 2,
        rate: 200,
        durationSeconds: 0.8,
        warmupSeconds: 0.2,
      });
      await new Promise((resolve) => setTimeout(resolve, 300));
      const blockedUntil = Date.now() + 400;
      while (Date.now() < blockedUntil) {
        // busy: the main thread's event loop is stopped, as during a long garbage collection
      }
      const result = await running;
      expect(result).toMatchObject({ requests: 160, errors: 0 });
      expect(result.p99Ms).toBeLessThan(200);
    } finally {
      await server.stop();
    }
  });
});
