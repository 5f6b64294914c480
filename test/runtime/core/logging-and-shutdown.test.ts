import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../../runtime/src/logger.js';
import { startRuntime } from '../../../runtime/src/server.js';
import { openStore } from '../../../runtime/src/store/store.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { testConfig } from '../../support/config.js';
import { createTestDatabase } from '../../support/databases.js';
import { captureLogs } from '../../support/logs.js';

describe('structured logs', () => {
  it('redacts secrets in headers, bodies and nested details', () => {
    const { logger, text, lines } = captureLogs();
    logger.info(
      {
        req: {
          headers: {
            authorization: 'Bearer eyJ-secret-jwt',
            cookie: 'access_token=cookie-secret',
            'x-api-key': 'sk_live_keysecret',
            'user-agent': 'curl/8',
          },
          body: { client_secret: 'client-secret-value', grant_type: 'client_credentials' },
        },
        details: { refresh_token: 'refresh-secret', api_key: 'sk_test_other', note: 'fine' },
        password: 'top-level-password',
      },
      'incoming',
    );
    const out = text();
    for (const secret of [
      'eyJ-secret-jwt',
      'cookie-secret',
      'sk_live_keysecret',
      'client-secret-value',
      'refresh-secret',
      'sk_test_other',
      'top-level-password',
    ]) {
      expect(out).not.toContain(secret);
    }
    const line = lines[0] as {
      req: { headers: Record<string, string>; body: Record<string, string> };
      details: Record<string, string>;
    };
    expect(line.req.headers.authorization).toBe('[redacted]');
    expect(line.req.headers['user-agent']).toBe('curl/8');
    expect(line.req.body.grant_type).toBe('client_credentials');
    expect(line.details.note).toBe('fine');
  });

  describe('access log of the running app', () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await startTestApp({ dialect: 'sqlite' });
    });
    afterAll(() => app?.close());

    it('writes one JSON line per request with request id, route and status, without query or credentials', async () => {
      await fetch(`${app.baseUrl}/healthz?code=query-secret`, {
        headers: { authorization: 'Bearer header-secret', 'x-api-key': 'sk_test_abc', 'x-request-id': 'req-42' },
      });
      await new Promise((r) => setTimeout(r, 20));
      const line = app.logs.find((l) => l.req_id === 'req-42');
      expect(line).toMatchObject({
        level: 'info',
        msg: 'request',
        method: 'GET',
        route: '/healthz',
        status: 200,
        service: 'gatehouse',
      });
      expect(typeof line?.ms).toBe('number');
      const all = JSON.stringify(app.logs);
      expect(all).not.toContain('query-secret');
      expect(all).not.toContain('header-secret');
      expect(all).not.toContain('sk_test_abc');
    });
  });
});

describe('graceful shutdown', () => {
  it('stops accepting, finishes the in-flight request, then closes the store', async () => {
    const database = await createTestDatabase('sqlite');
    const config = testConfig({ DATABASE_URL: database.databaseUrl });
    const store = openStore(config.database);
    // Hold /readyz inside its store ping until the test releases it: a request in flight during shutdown.
    let release!: () => void;
    let entered!: () => void;
    const inPing = new Promise<void>((r) => {
      entered = r;
    });
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const realPing = store.ping;
    let closed = false;
    const realClose = store.close;
    const gated = {
      ...store,
      ping: async () => {
        entered();
        await gate;
        await realPing();
      },
      close: async () => {
        closed = true;
        await realClose();
      },
    };
    const runtime = await startRuntime(config, { logger: createLogger('silent'), store: gated, host: '127.0.0.1' });
    try {
      const inFlight = fetch(`${runtime.url}/readyz`);
      await inPing;
      const stopping = runtime.shutdown(5000);
      // New connections are refused once shutdown began.
      const port = new URL(runtime.url).port;
      const refused = await new Promise<string>((resolve) => {
        const req = request({ host: '127.0.0.1', port, path: '/healthz', agent: false }, () => resolve('answered'));
        req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
        req.end();
      });
      expect(refused).toBe('ECONNREFUSED');
      expect(closed).toBe(false);
      release();
      const res = await inFlight;
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: 'ready' });
      await stopping;
      expect(closed).toBe(true);
      expect(runtime.server.listening).toBe(false);
    } finally {
      release();
      await runtime.shutdown(100);
      await database.drop();
    }
  });
});
