import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../../runtime/src/errors.js';
import { readRawBody } from '../../../runtime/src/http/raw-body.js';

const LIMIT = 1024;

/** Sends `chunks` as a chunked body (no content-length) or with the declared length, and returns status and text. */
function post(port: number, chunks: string[], declaredLength?: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/',
        headers: declaredLength ? { 'content-length': declaredLength } : {},
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (part) => (text += part));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    for (const chunk of chunks) req.write(chunk);
    req.end();
  });
}

describe('readRawBody (fast-route bodies)', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((req, res) => {
      readRawBody(req, LIMIT).then(
        (body) => res.writeHead(200).end(`read ${body.length}: ${body.toString('utf8').slice(0, 20)}`),
        (error: unknown) =>
          res
            .writeHead(error instanceof AppError ? error.status : 500)
            .end(error instanceof AppError ? (error.reason ?? error.code) : 'x'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('reads a body sent in several chunks', async () => {
    expect(await post(port, ['grant_type=', 'client_credentials', '&scope=a'])).toEqual({
      status: 200,
      text: 'read 37: grant_type=client_cr',
    });
  });

  it('refuses a chunked body past the limit and still answers the request', async () => {
    expect(await post(port, ['a'.repeat(LIMIT), 'b'.repeat(100)])).toEqual({ status: 400, text: 'body_too_large' });
  });

  it('refuses a declared length past the limit before reading', async () => {
    const result = await post(port, ['a'.repeat(LIMIT + 1)], LIMIT + 1);
    expect(result).toEqual({ status: 400, text: 'body_too_large' });
  });

  it('accepts a body of exactly the limit', async () => {
    expect((await post(port, ['a'.repeat(LIMIT)])).status).toBe(200);
  });
});
