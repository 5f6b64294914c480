import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { runPacedLoad } from '../../bench/paced-load.js';
import { waitThen } from '../../bench/pacer.js';

// The real pacer, observed: every wait of the generator goes through it.
vi.mock(import('../../bench/pacer.js'), async (importOriginal) => {
  const actual = await importOriginal();
  return { ...actual, waitThen: vi.fn(actual.waitThen) };
});

let server: Server | undefined;

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
});

describe('runPacedLoad pacing', () => {
  it('waits out sub-millisecond remainders with sleeps, not with millisecond timers', async () => {
    server = createServer((_request, response) => response.end());
    await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    // A request every 0.5 ms: after each send the next one is due in under a millisecond.
    const result = await runPacedLoad({ url, connections: 4, rate: 2000, durationSeconds: 0.2, warmupSeconds: 0 });
    expect(result.requests + result.errors).toBe(400);
    const steps = vi.mocked(waitThen).mock.calls.map(([step]) => step);
    const subMillisecondSleeps = steps.filter((step) => step.kind === 'sleep' && step.ms > 0 && step.ms < 1);
    expect(subMillisecondSleeps.length).toBeGreaterThan(0);
    expect(steps.filter((step) => step.kind === 'timer')).toEqual([]);
  });
});
