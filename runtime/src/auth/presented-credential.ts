import type { IncomingMessage } from 'node:http';
import { parse as parseCookie } from 'cookie';
import type { CredentialSource } from './resolver.js';

/** Name of the cookie carrying a browser session's access token (set by browser sign-in, runtime/src/signin). */
export const ACCESS_TOKEN_COOKIE = 'access_token';
const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

export interface PresentedCredential {
  readonly source: CredentialSource;
  readonly value: string;
}

/**
 * The one credential a request is judged by: the `access_token` cookie, else `Authorization: Bearer`, else
 * `X-API-Key`. The first one present decides; a later one is not tried when an earlier one fails, so a stale cookie
 * cannot be papered over by a second credential and every answer names a single credential. Non-Bearer
 * `Authorization` schemes are ignored (they may be meant for an upstream service).
 */
export function presentedCredential(req: IncomingMessage): PresentedCredential | undefined {
  const cookieHeader = req.headers.cookie;
  if (cookieHeader?.includes(ACCESS_TOKEN_COOKIE)) {
    const value = parseCookie(cookieHeader)[ACCESS_TOKEN_COOKIE];
    if (value) return { source: 'cookie', value };
  }
  const authorization = req.headers.authorization;
  if (authorization) {
    const match = BEARER.exec(authorization);
    if (match?.[1]) return { source: 'bearer', value: match[1] };
  }
  const apiKey = req.headers['x-api-key'];
  if (typeof apiKey === 'string' && apiKey !== '') return { source: 'api_key', value: apiKey.trim() };
  return undefined;
}
