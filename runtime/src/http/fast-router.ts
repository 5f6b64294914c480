import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * A handler on the hot path: plain `node:http` request/response, no Express middleware. Throw an `AppError` or
 * `OAuthError` to answer an error; the caller renders it. Answer with `writeFastHead` (or `sendJson`), which also
 * echoes the request id.
 */
export type FastHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

/**
 * Exact-path routes served before Express (GET /auth/verify, POST /oauth2/token, JWKS): Express costs ~130 µs of CPU
 * per request on this hardware, these routes must not pay it. Every route added here is also mounted on the Express
 * app, so the app behaves the same whether it is served through `createRequestListener` or used directly.
 */
export class FastRouter {
  readonly #routes = new Map<string, FastHandler>();
  readonly #paths = new Set<string>();

  add(method: 'GET' | 'POST' | 'HEAD', path: string, handler: FastHandler): void {
    const key = `${method} ${path}`;
    if (this.#routes.has(key)) throw new Error(`Fast route ${key} is already registered`);
    this.#routes.set(key, handler);
    if (method === 'GET') this.#routes.set(`HEAD ${path}`, handler);
    this.#paths.add(path);
  }

  /** The handler for `method` + `path` (path without query), if any. */
  match(method: string | undefined, path: string): FastHandler | undefined {
    if (!this.#paths.has(path)) return undefined;
    return this.#routes.get(`${method} ${path}`);
  }

  entries(): Array<{ method: string; path: string; handler: FastHandler }> {
    return [...this.#routes].map(([key, handler]) => {
      const [method, path] = key.split(' ') as [string, string];
      return { method, path, handler };
    });
  }
}

/** The path of a request URL without its query string. */
export function pathOf(url: string | undefined): string {
  if (!url) return '/';
  const q = url.indexOf('?');
  return q === -1 ? url : url.slice(0, q);
}

/**
 * Writes the status line and every header of a hot-path response at once, adding `X-Request-Id` and the request's
 * security headers (`securityHeadersFor`). `writeHead` with a
 * flat name/value array skips the per-header map `setHeader` keeps (about 5% of a warm `/auth/verify`), but only while
 * no header has been set before it, which is why fast routes get their request id echoed here rather than by
 * `instrumentRequest`. Headers set earlier (an error path, or the route served through Express) still apply: Node
 * merges them, the values given here winning.
 */
export function writeFastHead(res: ServerResponse, status: number, headers: string[]): void {
  const req = res.req;
  const id = req?.requestId;
  if (id !== undefined) headers.push('X-Request-Id', id);
  const security = req?.securityHeaders;
  if (security) for (const value of security) headers.push(value);
  res.writeHead(status, headers);
}

/** Writes a JSON response without Express (hot paths). */
export function sendJson(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>): void {
  const json = typeof body === 'string' ? body : JSON.stringify(body);
  const list = ['Content-Type', 'application/json; charset=utf-8', 'Content-Length', String(Buffer.byteLength(json))];
  if (headers) for (const [name, value] of Object.entries(headers)) list.push(name, value);
  writeFastHead(res, status, list);
  res.end(json);
}
