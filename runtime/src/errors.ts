/**
 * One error hierarchy for the runtime. Every error a handler throws is an `AppError` (or an `OAuthError` on the
 * OAuth endpoints); the error middleware renders it. Anything else is an unexpected failure and becomes `internal`.
 */

/** Codes of the HTTP contract (`{"error":{"code","message"}}`), with the status each one always answers. */
export const ERROR_STATUS = {
  unauthorized: 401,
  token_expired: 401,
  forbidden: 403,
  invalid_request: 400,
  not_found: 404,
  conflict: 409,
  rate_limited: 429,
  internal: 500,
  unavailable: 503,
} as const;

/** `Retry-After` of a 503 while the store is unreachable, in seconds. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface AppErrorOptions {
  /** Extra response headers, e.g. `Retry-After` or `WWW-Authenticate`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Machine-readable reason for logs, metrics and audit (never sent to the client). */
  readonly reason?: string;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /** Whether `message` may be shown to the caller: below 500, and `unavailable` (503); `internal` never is. */
  readonly expose: boolean;
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string | undefined;

  constructor(code: ErrorCode, message: string, options: AppErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_STATUS[code];
    this.expose = this.status < 500 || code === 'unavailable';
    this.headers = options.headers ?? {};
    this.reason = options.reason;
  }
}

export interface RateLimitedOptions {
  /** Name of the limit in the `RateLimit` header (draft-ietf-httpapi-ratelimit-headers). Default `default`. */
  readonly policy?: string;
  /** Further headers, e.g. `RateLimit-Policy` when the limit's quota and window are known. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `rate_limited`. */
  readonly reason?: string;
}

export class RateLimitedError extends AppError {
  /** Seconds until the caller may try again; sent as `Retry-After` and as `t` of `RateLimit`. */
  readonly retryAfterSeconds: number;

  constructor(retryAfterSeconds: number, message = 'Too many requests; retry later', options: RateLimitedOptions = {}) {
    const seconds = Math.max(1, Math.ceil(retryAfterSeconds));
    super('rate_limited', message, {
      headers: {
        'Retry-After': String(seconds),
        RateLimit: `"${options.policy ?? 'default'}";r=0;t=${seconds}`,
        ...options.headers,
      },
      reason: options.reason ?? 'rate_limited',
    });
    this.name = 'RateLimitedError';
    this.retryAfterSeconds = seconds;
  }
}

export const unauthorized = (message = 'Authentication required', reason?: string): AppError =>
  new AppError('unauthorized', message, { reason });
export const tokenExpired = (message = 'The credential has expired', reason = 'expired'): AppError =>
  new AppError('token_expired', message, { reason });
export const forbidden = (message = 'Not allowed', reason?: string): AppError =>
  new AppError('forbidden', message, { reason });
export const invalidRequest = (message: string, reason?: string): AppError =>
  new AppError('invalid_request', message, { reason });
export const notFound = (message = 'Not found'): AppError => new AppError('not_found', message);
export const conflict = (message: string): AppError => new AppError('conflict', message);
export const rateLimited = (
  retryAfterSeconds: number,
  message?: string,
  options?: RateLimitedOptions,
): RateLimitedError => new RateLimitedError(retryAfterSeconds, message, options);
/** 503 `unavailable` with `Retry-After`: a dependency (the store) cannot be reached; the caller should retry. */
export const unavailable = (
  message = 'The service is temporarily unavailable; retry later',
  cause?: unknown,
): AppError =>
  new AppError('unavailable', message, {
    headers: { 'Retry-After': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    reason: 'unavailable',
    cause,
  });
/** An internal failure with a message meant for the logs only; the caller sees a generic `internal` body. */
export const internal = (message: string, cause?: unknown): AppError => new AppError('internal', message, { cause });

/** RFC 6749 section 5.2 error codes (plus RFC 7009 `unsupported_token_type`). */
export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_client'
  | 'invalid_grant'
  | 'unauthorized_client'
  | 'unsupported_grant_type'
  | 'invalid_scope'
  | 'unsupported_token_type'
  | 'server_error'
  | 'temporarily_unavailable';

const OAUTH_STATUS: Record<OAuthErrorCode, number> = {
  invalid_request: 400,
  invalid_client: 401,
  invalid_grant: 400,
  unauthorized_client: 400,
  unsupported_grant_type: 400,
  invalid_scope: 400,
  unsupported_token_type: 400,
  server_error: 500,
  temporarily_unavailable: 503,
};

/** An error on the OAuth endpoints, rendered as `{"error":"...","error_description":"..."}`. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly reason: string | undefined;

  constructor(
    error: OAuthErrorCode,
    description: string,
    options: { status?: number; headers?: Readonly<Record<string, string>>; reason?: string } = {},
  ) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = options.status ?? OAUTH_STATUS[error];
    // RFC 6749 5.2: a 401 invalid_client must carry WWW-Authenticate for the scheme the client tried.
    const headers = { ...(options.headers ?? {}) };
    if (error === 'invalid_client' && this.status === 401 && !headers['WWW-Authenticate']) {
      headers['WWW-Authenticate'] = 'Basic realm="gatehouse"';
    }
    this.headers = headers;
    this.reason = options.reason;
  }
}
