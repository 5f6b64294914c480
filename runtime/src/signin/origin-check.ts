import type { IncomingMessage } from 'node:http';
import { forbidden } from '../errors.js';

/** Methods that may change state; only these are checked (GET/HEAD/OPTIONS must stay side-effect free). */
const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

export const isUnsafeMethod = (method: string | undefined): boolean =>
  !SAFE_METHODS.has((method ?? 'GET').toUpperCase());

/** The request's origin: the `Origin` header, else the origin of `Referer`; undefined when neither says. */
function requestOrigin(req: IncomingMessage): string | undefined {
  const origin = req.headers.origin;
  if (typeof origin === 'string' && origin !== '' && origin !== 'null') return origin;
  const referer = req.headers.referer;
  if (typeof referer === 'string' && referer !== '') {
    try {
      return new URL(referer).origin;
    } catch {
      return undefined;
    }
  }
  return undefined;
}

/**
 * CSRF defence for cookie-authenticated state-changing requests, on top of SameSite=Lax: the request's `Origin` (or,
 * when a client strips it, its `Referer`) must be one of `ALLOWED_ORIGINS`. A request that states no origin at all is
 * refused too: every browser sends `Origin` on a cross-origin or non-GET fetch and form post. Safe methods pass.
 * Throws 403 `forbidden` (reason `csrf_origin`).
 */
export function assertAllowedOrigin(req: IncomingMessage, allowedOrigins: readonly string[]): void {
  if (!isUnsafeMethod(req.method)) return;
  const origin = requestOrigin(req);
  if (origin === undefined) {
    throw forbidden(
      'Cookie-authenticated requests that change state must send an Origin header from one of ALLOWED_ORIGINS',
      'csrf_origin',
    );
  }
  if (!allowedOrigins.includes(origin)) {
    throw forbidden('The request Origin is not one of ALLOWED_ORIGINS; cross-site requests are refused', 'csrf_origin');
  }
}
