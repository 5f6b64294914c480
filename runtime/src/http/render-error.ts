import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AppError, invalidRequest, OAuthError, unavailable } from '../errors.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import { applySecurityHeaders } from './security-headers.js';

/**
 * Errors of the libraries that read the request for us, translated to the caller's fault they are: body-parser /
 * raw-body errors (a `type`, or a 4xx `status` wrapping a zlib error for a body that does not decode as its
 * Content-Encoding), and the router's `URIError` for a path parameter that is not valid percent-encoding.
 */
function fromRequestReader(error: unknown): AppError | undefined {
  const e = error as { type?: unknown; status?: unknown; limit?: unknown; code?: unknown };
  if (typeof e?.status !== 'number' || e.status < 400 || e.status >= 500) return undefined;
  if (error instanceof URIError) return invalidRequest('A path parameter is not valid percent-encoding', 'bad_path');
  switch (e.type) {
    case 'entity.parse.failed':
      return invalidRequest('The request body is not valid JSON', 'malformed_body');
    case 'entity.too.large':
      return invalidRequest(`The request body is larger than the limit of ${e.limit} bytes`, 'body_too_large');
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return invalidRequest('The request body has an unsupported encoding or charset', 'bad_encoding');
    default:
      // zlib: Z_DATA_ERROR and the like; brotli: ERR__ERROR_FORMAT_...
      if (typeof e.code === 'string' && (e.code.startsWith('Z_') || e.code.startsWith('ERR__'))) {
        return invalidRequest('The request body does not decode as its Content-Encoding', 'bad_encoding');
      }
      return invalidRequest('The request body could not be read', 'bad_body');
  }
}

/**
 * Turns any thrown value into the error the caller sees: a store that cannot be reached is 503 `unavailable` (RFC 6749
 * `temporarily_unavailable` when `oauth`); other unknown errors become `internal`.
 */
export function toPublicError(error: unknown, oauth = false): AppError | OAuthError {
  if (error instanceof OAuthError) return error;
  if (error instanceof AppError) {
    return oauth && error.code === 'unavailable' ? temporarilyUnavailable(error.message, error.headers) : error;
  }
  if (isStoreUnavailable(error)) {
    const e = unavailable(undefined, error);
    return oauth ? temporarilyUnavailable(e.message, e.headers) : e;
  }
  return fromRequestReader(error) ?? new AppError('internal', 'Internal error', { cause: error });
}

const temporarilyUnavailable = (message: string, headers: Readonly<Record<string, string>>): OAuthError =>
  new OAuthError('temporarily_unavailable', message, {
    headers: { ...headers, Pragma: 'no-cache' },
    reason: 'unavailable',
  });

/** The OAuth endpoints (`/oauth2/...`) answer RFC 6749 error bodies, whatever failed. */
const isOAuthEndpoint = (url: string | undefined): boolean => url?.startsWith('/oauth2/') === true;

/**
 * Writes the contract's error body (`{"error":{"code","message"}}`, or RFC 6749 `{"error","error_description"}` for an
 * `OAuthError`). Unexposed errors answer `internal` with a generic message; the real error goes to the log only.
 */
export function renderError(req: IncomingMessage, res: ServerResponse, error: unknown, logger: Logger): void {
  const publicError = toPublicError(error, isOAuthEndpoint(req.url));
  if (publicError.status === 503) {
    logger.warn(
      { err: error, req_id: req.requestId, method: req.method, url: req.url?.split('?')[0] },
      'store unavailable',
    );
  } else if (publicError.status >= 500) {
    logger.error(
      { err: error, req_id: req.requestId, method: req.method, url: req.url?.split('?')[0] },
      'request failed',
    );
  }
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // Fast routes echo the request id in their success head only (writeFastHead); an error answers it here.
  if (req.requestId !== undefined && !res.hasHeader('X-Request-Id')) res.setHeader('X-Request-Id', req.requestId);
  applySecurityHeaders(req, res);
  let body: string;
  if (publicError instanceof OAuthError) {
    const description =
      publicError.status >= 500 && publicError.error !== 'temporarily_unavailable'
        ? 'Internal error'
        : publicError.message;
    body = JSON.stringify({ error: publicError.error, error_description: description });
  } else {
    const message = publicError.expose ? publicError.message : 'Internal error';
    body = JSON.stringify({ error: { code: publicError.expose ? publicError.code : 'internal', message } });
  }
  // An error answer describes one request (and may follow a credential check): no cache may keep or replay it.
  res.setHeader('Cache-Control', 'no-store');
  for (const [name, value] of Object.entries(publicError.headers)) res.setHeader(name, value);
  res.statusCode = publicError.status;
  res.setHeader('Content-Type', 'application/json; charset=utf-8');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
