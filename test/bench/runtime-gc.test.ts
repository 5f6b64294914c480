import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Histogram, Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { majorGcBetween, parseGcTotals, readGcTotals } from '../../bench/runtime-gc.js';

/** A registry exposing the GC histogram as prom-client's default metrics do (same name, `kind` label first). */
function gcRegistry(defaultLabels?: Record<string, string>) {
  const registry = new Registry();
  if (defaultLabels) registry.setDefaultLabels(defaultLabels);
  const histogram = new Histogram({
    name: 'nodejs_gc_duration_seconds',
    help: 'Garbage collection duration by kind, one of major, minor, incremental or weakcb.',
    labelNames: ['kind'],
    registers: [registry],
  });
  return { registry, histogram };
}

describe('runtime GC totals from /metrics', () => {
  let server: Server | undefined;
  afterEach(async () => {
    const running = server;
    server = undefined;
    if (running) await new Promise((resolve) => running.close(resolve));
  });

  it('reads counts and pauses by kind from prom-client text, default labels or not', async () => {
    for (const labels of [undefined, { service: 'gatehouse' }]) {
      const { registry, histogram } = gcRegistry(labels);
      histogram.observe({ kind: 'major' }, 0.0056);
      histogram.observe({ kind: 'major' }, 0.002);
      histogram.observe({ kind: 'minor' }, 0.001);
      const totals = parseGcTotals(await registry.metrics());
      expect(totals.count).toEqual({ major: 2, minor: 1 });
      expect(totals.seconds.major).toBeCloseTo(0.0076, 6);
    }
  });

  it('counts the major collections between two readings, with their pause in ms', () => {
    const before = { count: { major: 3, minor: 40 }, seconds: { major: 0.01, minor: 0.02 } };
    const after = { count: { major: 5, minor: 90 }, seconds: { major: 0.0212, minor: 0.05 } };
    expect(majorGcBetween(before, after)).toEqual({ count: 2, pauseMs: 11.2 });
    expect(majorGcBetween({ count: {}, seconds: {} }, { count: {}, seconds: {} })).toEqual({ count: 0, pauseMs: 0 });
  });

  it('fetches <origin>/metrics, and fails naming the status when it is not served', async () => {
    const { registry, histogram } = gcRegistry();
    histogram.observe({ kind: 'major' }, 0.004);
    let status = 200;
    server = createServer(async (request, response) => {
      if (request.url !== '/metrics' || status !== 200) return response.writeHead(status || 404).end();
      response.setHeader('content-type', registry.contentType);
      response.end(await registry.metrics());
    });
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    expect((await readGcTotals(origin)).count).toEqual({ major: 1 });
    status = 503;
    await expect(readGcTotals(origin)).rejects.toThrow(`GET ${origin}/metrics answered 503`);
  });
});
