import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AppError,
  conflict,
  forbidden,
  internal,
  invalidRequest,
  notFound,
  OAuthError,
  rateLimited,
  tokenExpired,
  unauthorized,
} from '../../../runtime/src/errors.js';
import { errorHandler, notFoundHandler } from '../../../runtime/src/http/error-middleware.js';
import { parseWith, z } from '../../../runtime/src/http/openapi.js';
import { BODY_LIMIT_BYTES } from '../../../runtime/src/http/raw-body.js';
import { captureLogs } from '../../support/logs.js';

/** The runtime's real error middleware behind routes that throw each kind of error. */
describe('error middleware', () => {
  const logs = captureLogs();
  let server: Server;
  let base: string;
  beforeAll(async () => {
    const app = express();
    const thrower = (error: unknown) => () => {
      throw error;
    };
    app.get('/unauthorized', thrower(unauthorized()));
    app.get('/expired', thrower(tokenExpired()));
    app.get('/forbidden', thrower(forbidden('Missing scope graph:read')));
    app.get('/missing', thrower(notFound('No such API key')));
    app.get('/conflict', thrower(conflict('A team with that slug exists')));
    app.get('/limited', thrower(rateLimited(12.2)));
    app.get('/internal', thrower(internal('database password=hunter2 rejected')));
    app.get('/crash', async () => {
      throw new TypeError('cannot read secret_value of undefined');
    });
    app.get('/oauth', thrower(new OAuthError('invalid_client', 'Client authentication failed')));
    const Body = z.object({ name: z.string().min(1), scopes: z.array(z.string()) });
    app.post('/json', express.json({ limit: BODY_LIMIT_BYTES }), (req, res) => {
      res.json(parseWith(Body, req.body, 'body'));
    });
    app.use(notFoundHandler);
    app.use(errorHandler(logs.logger));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const cases: Array<[string, number, unknown]> = [
    ['/unauthorized', 401, { error: { code: 'unauthorized', message: 'Authentication required' } }],
    ['/expired', 401, { error: { code: 'token_expired', message: 'The credential has expired' } }],
    ['/forbidden', 403, { error: { code: 'forbidden', message: 'Missing scope graph:read' } }],
    ['/missing', 404, { error: { code: 'not_found', message: 'No such API key' } }],
    ['/conflict', 409, { error: { code: 'conflict', message: 'A team with that slug exists' } }],
    ['/limited', 429, { error: { code: 'rate_limited', message: 'Too many requests; retry later' } }],
    ['/internal', 500, { error: { code: 'internal', message: 'Internal error' } }],
    ['/crash', 500, { error: { code: 'internal', message: 'Internal error' } }],
    ['/no-such-route', 404, { error: { code: 'not_found', message: 'No such endpoint' } }],
    ['/oauth', 401, { error: 'invalid_client', error_description: 'Client authentication failed' }],
  ];
  it.each(cases)('GET %s answers %i with the exact contract body', async (path, status, body) => {
    const res = await fetch(`${base}${path}`);
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(await res.json()).toEqual(body);
  });

  it.each(cases)('GET %s: the error answer is never stored by a cache', async (path) => {
    const res = await fetch(`${base}${path}`);
    await res.arrayBuffer();
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it('sends Retry-After on rate_limited and WWW-Authenticate on invalid_client', async () => {
    expect((await fetch(`${base}/limited`)).headers.get('retry-after')).toBe('13');
    const oauth = await fetch(`${base}/oauth`);
    expect(oauth.headers.get('www-authenticate')).toBe('Basic realm="gatehouse"');
    expect(oauth.headers.get('cache-control')).toBe('no-store');
  });

  it('logs unexposed errors with their detail but never sends it', async () => {
    const res = await fetch(`${base}/internal`);
    expect(await res.text()).not.toContain('hunter2');
    expect(logs.lines.some((l) => l.msg === 'request failed' && JSON.stringify(l).includes('password=hunter2'))).toBe(
      true,
    );
  });

  it('answers malformed JSON and oversized bodies with invalid_request', async () => {
    const malformed = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":',
    });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toEqual({
      error: { code: 'invalid_request', message: 'The request body is not valid JSON' },
    });
    const big = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'x'.repeat(BODY_LIMIT_BYTES + 1), scopes: [] }),
    });
    expect(big.status).toBe(400);
    expect(await big.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: `The request body is larger than the limit of ${BODY_LIMIT_BYTES} bytes`,
      },
    });
  });

  it('names every invalid field of a validated body', async () => {
    const res = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"","scopes":"a"}',
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('invalid_request');
    expect(body.error.message).toMatch(/^body\.name: .+; body\.scopes: .+array/);
    const ok = await fetch(`${base}/json`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"n","scopes":["a"]}',
    });
    expect(await ok.json()).toEqual({ name: 'n', scopes: ['a'] });
  });

  it('marks only errors below 500 as exposed', () => {
    expect(invalidRequest('x').expose).toBe(true);
    expect(new AppError('internal', 'x').expose).toBe(false);
  });
});
