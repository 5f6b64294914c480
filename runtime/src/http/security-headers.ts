import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Config } from '../config.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** Response headers every answer to this request carries, as a flat name/value list (see `securityHeadersFor`). */
    securityHeaders?: readonly string[];
  }
}

/** HSTS lifetime sent when `PUBLIC_URL` is https, in seconds (one year). */
export const HSTS_MAX_AGE_SECONDS = 31_536_000;

/**
 * Headers on every response, as a flat name/value list (the form `writeHead` takes on the hot paths):
 * `X-Content-Type-Options: nosniff` always, `Strict-Transport-Security` when `PUBLIC_URL` is https.
 */
export function securityHeadersFor(config: Pick<Config, 'publicUrl'>): readonly string[] {
  const headers = ['X-Content-Type-Options', 'nosniff'];
  if (config.publicUrl.startsWith('https:'))
    headers.push('Strict-Transport-Security', `max-age=${HSTS_MAX_AGE_SECONDS}`);
  return headers;
}

/** Sets the request's security headers on `res` (Express routes, error answers); a header already set is kept. */
export function applySecurityHeaders(req: IncomingMessage, res: ServerResponse): void {
  const headers = req.securityHeaders;
  if (!headers) return;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i] as string;
    if (!res.hasHeader(name)) res.setHeader(name, headers[i + 1] as string);
  }
}
