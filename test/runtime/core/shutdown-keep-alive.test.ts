import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../../runtime/src/logger.js';
import { startRuntime } from '../../../runtime/src/server.js';
import { openStore, type Store } from '../../../runtime/src/store/store.js';
import { testConfig } from '../../support/config.js';
import { createTestDatabase } from '../../support/databases.js';

interface Outcome {
  /** Whether a response (status line and headers) arrived. */
  readonly started: boolean;
  readonly status?: number;
  readonly headers?: IncomingHttpHeaders;
  /** The error code when the request failed (ECONNRESET, ECONNREFUSED, ...). */
  readonly error?: string;
}

/** One request over `agent`, reporting whether its response started and how it ended; never rejects. */
function get(agent: Agent, port: number, path: string): Promise<Outcome> {
  return new Promise((resolve) => {
    let started = false;
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      started = true;
      res.on('data', () => {});
      res.on('end', () => resolve({ started, status: res.statusCode, headers: res.headers }));
      res.on('error', (error: NodeJS.ErrnoException) => resolve({ started, error: error.code ?? error.message }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ started, error: error.code ?? error.message }));
    req.end();
  });
}

describe('shutdown with keep-alive connections', () => {
  it('closes idle connections at once, answers in-flight requests with Connection: close, resets none', async () => {
    const database = await createTestDatabase('sqlite');
    const config = testConfig({ DATABASE_URL: database.databaseUrl });
    const store = openStore(config.database);
    // /readyz waits inside its store ping until released: requests in flight when shutdown begins.
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    let waiting = 0;
    const gated: Store = {
      ...store,
      ping: async () => {
        waiting += 1;
        await gate;
        await store.ping();
      },
    };
    const runtime = await startRuntime(config, { logger: createLogger('silent'), store: gated, host: '127.0.0.1' });
    const port = Number(new URL(runtime.url).port);
    const agent = new Agent({ keepAlive: true, maxSockets: 6 });
    try {
      // Six keep-alive connections, open and idle.
      const warm = await Promise.all(Array.from({ length: 6 }, () => get(agent, port, '/healthz')));
      expect(warm.map((o) => o.headers?.connection)).toEqual(Array(6).fill('keep-alive'));
      // Three of them carry a request still in flight.
      const inFlight = Array.from({ length: 3 }, () => get(agent, port, '/readyz'));
      await expect.poll(() => waiting, { timeout: 15_000 }).toBe(3);

      const stopping = runtime.shutdown(15_000);
      // The idle connections are closed at once: the agent sees them go, and nothing is left open but the three.
      await expect.poll(() => (agent.freeSockets[`127.0.0.1:${port}:`] ?? []).length, { timeout: 15_000 }).toBe(0);
      // A request after shutdown began finds no open connection and no listener: refused, not reset.
      const late = await get(agent, port, '/healthz');
      expect(late).toMatchObject({ started: false, error: 'ECONNREFUSED' });

      release();
      const answered = await Promise.all(inFlight);
      for (const outcome of answered) {
        expect(outcome).toMatchObject({ started: true, status: 200 });
        expect(outcome.headers?.connection).toBe('close');
      }
      await stopping;
      const all = [...warm, ...answered, late];
      expect(all.filter((o) => o.started && o.error !== undefined)).toEqual([]);
    } finally {
      release();
      agent.destroy();
      await runtime.shutdown(100);
      await database.drop();
    }
  });
});
