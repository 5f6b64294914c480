import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPacedLoadOnWorker } from '../../bench/paced-load-worker.js';

describe('runPacedLoadOnWorker', () => {
  let server: Server;
  let url: string;
  let seen = 0;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      seen += 1;
      response.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('sends exactly rate × duration requests and returns the result', async () => {
    seen = 0;
    const result = await runPacedLoadOnWorker({
      url,
      connections: 2,
      rate: 200,
      durationSeconds: 0.5,
      warmupSeconds: 0,
    });
    expect(result).toMatchObject({ requests: 100, errors: 0 });
    expect(result.p99Ms).toBeGreaterThan(0);
    // The requests really went out to this server.
    expect(seen).toBe(100);
  });

  it("rejects with the worker's error", async () => {
    await expect(
      runPacedLoadOnWorker({ url: 'not a url', connections: 1, rate: 10, durationSeconds: 0.1 }),
    ).rejects.toThrow(/Invalid URL/);
  });
});
