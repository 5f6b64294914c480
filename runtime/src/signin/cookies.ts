import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse, type SerializeOptions, serialize } from 'cookie';

/** Cookie names of the HTTP contract (ARCHITECTURE.md, "HTTP contract"). */
export const ACCESS_TOKEN_COOKIE = 'access_token';
export const REFRESH_TOKEN_COOKIE = 'refresh_token';
export const TOKEN_EXPIRY_COOKIE = 'token_expiry';
/** Short-lived cookie carrying the sealed state, nonce and PKCE verifier between /auth/login and /auth/callback. */
export const LOGIN_STATE_COOKIE = 'gatehouse_login';

/** Path of the refresh and login-state cookies: only /auth/* endpoints ever receive them. */
export const AUTH_COOKIE_PATH = '/auth';

/**
 * Every auth cookie is Secure and SameSite=Lax. Secure cookies also work on http://localhost and http://127.0.0.1:
 * browsers treat loopback as a secure context.
 */
const BASE: SerializeOptions = { secure: true, sameSite: 'lax' };

export interface SessionCookieValues {
  readonly accessToken: string;
  /** Epoch seconds at which the access token expires (`token_expiry`). */
  readonly accessTokenExpiresAt: number;
  readonly accessTokenTtlSeconds: number;
  readonly refreshToken: string;
  readonly refreshTokenTtlSeconds: number;
}

/** Reads one cookie of the request; undefined when absent or empty. */
export function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  const value = parse(header)[name];
  return value === undefined || value === '' ? undefined : value;
}

/** Whether the request carries any of the session cookies (the test the CSRF check uses). */
export function hasSessionCookie(req: IncomingMessage): boolean {
  return (
    readCookie(req, ACCESS_TOKEN_COOKIE) !== undefined ||
    readCookie(req, REFRESH_TOKEN_COOKIE) !== undefined ||
    readCookie(req, LOGIN_STATE_COOKIE) !== undefined
  );
}

function append(res: ServerResponse, cookies: readonly string[]): void {
  const existing = res.getHeader('Set-Cookie');
  const list = existing === undefined ? [] : Array.isArray(existing) ? existing : [String(existing)];
  res.setHeader('Set-Cookie', [...list, ...cookies]);
}

/**
 * Sets the three session cookies exactly as the contract says: `access_token` (httpOnly, Path=/), `refresh_token`
 * (httpOnly, Path=/auth), `token_expiry` (readable by scripts, Path=/, epoch seconds). `token_expiry` lives as long as
 * the refresh token so a page can see that the access token has lapsed and refresh instead of signing in again.
 */
export function setSessionCookies(res: ServerResponse, values: SessionCookieValues): void {
  append(res, [
    serialize(ACCESS_TOKEN_COOKIE, values.accessToken, {
      ...BASE,
      httpOnly: true,
      path: '/',
      maxAge: values.accessTokenTtlSeconds,
    }),
    serialize(REFRESH_TOKEN_COOKIE, values.refreshToken, {
      ...BASE,
      httpOnly: true,
      path: AUTH_COOKIE_PATH,
      maxAge: values.refreshTokenTtlSeconds,
    }),
    serialize(TOKEN_EXPIRY_COOKIE, String(values.accessTokenExpiresAt), {
      ...BASE,
      httpOnly: false,
      path: '/',
      maxAge: values.refreshTokenTtlSeconds,
    }),
  ]);
}

/** Expires the three session cookies (same names and paths, Max-Age=0). */
export function clearSessionCookies(res: ServerResponse): void {
  append(res, [
    serialize(ACCESS_TOKEN_COOKIE, '', { ...BASE, httpOnly: true, path: '/', maxAge: 0 }),
    serialize(REFRESH_TOKEN_COOKIE, '', { ...BASE, httpOnly: true, path: AUTH_COOKIE_PATH, maxAge: 0 }),
    serialize(TOKEN_EXPIRY_COOKIE, '', { ...BASE, httpOnly: false, path: '/', maxAge: 0 }),
  ]);
}

export function setLoginStateCookie(res: ServerResponse, sealed: string, ttlSeconds: number): void {
  append(res, [
    serialize(LOGIN_STATE_COOKIE, sealed, { ...BASE, httpOnly: true, path: AUTH_COOKIE_PATH, maxAge: ttlSeconds }),
  ]);
}

export function clearLoginStateCookie(res: ServerResponse): void {
  append(res, [serialize(LOGIN_STATE_COOKIE, '', { ...BASE, httpOnly: true, path: AUTH_COOKIE_PATH, maxAge: 0 })]);
}
