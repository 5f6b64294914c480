/** JSON API calls with the session cookie; the console uses only the runtime's public HTTP API. */

export const LOGIN_URL = '/auth/login?return_to=/admin';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

let refreshing: Promise<boolean> | null = null;

/** POST /auth/refresh once for every caller that is waiting; resolves to whether the session was renewed. */
function refreshSession(): Promise<boolean> {
  refreshing ??= fetch('/auth/refresh', {
    method: 'POST',
    credentials: 'same-origin',
    headers: { Accept: 'application/json' },
  })
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** Sends the browser to sign-in; the returned promise never settles (the page is being replaced). */
export function toLogin(): Promise<never> {
  window.location.assign(LOGIN_URL);
  return new Promise<never>(() => {});
}

/**
 * Calls the JSON API with the session cookie (same-origin fetch: the browser adds Origin, which the runtime checks
 * on writes). On 401 the session is refreshed once and the call retried: token_expired means the access token
 * lapsed, and a plain unauthorized usually means the browser already dropped the lapsed cookie (its Max-Age is the
 * token's lifetime). If the refresh fails too, the browser goes to sign-in.
 */
export async function api<T = unknown>(method: string, path: string, payload?: unknown, retried = false): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' };
  const init: RequestInit = { method, credentials: 'same-origin', headers };
  if (payload !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(payload);
  }
  const response = await fetch(path, init);
  if (response.status === 204) return null as T;
  const text = await response.text();
  let data: unknown = null;
  try {
    data = text ? JSON.parse(text) : null;
  } catch {
    data = null;
  }
  if (response.ok) return data as T;
  if (response.status === 401) {
    if (!retried && (await refreshSession())) return api<T>(method, path, payload, true);
    return toLogin();
  }
  const body = (data ?? {}) as { error?: unknown };
  const error = (typeof body.error === 'object' && body.error !== null ? body.error : {}) as {
    code?: string;
    message?: string;
  };
  throw new ApiError(
    response.status,
    error.code ?? `http_${response.status}`,
    error.message ?? `HTTP ${response.status}`,
  );
}

/** Path segment, encoded. */
export const seg = (value: string): string => encodeURIComponent(value);
