import type { IncomingMessage, ServerResponse } from 'node:http';
import { AppError, OAuthError, type OAuthErrorCode } from '../errors.js';
import { sendJson } from '../http/fast-router.js';
import { readRawBody } from '../http/raw-body.js';

/** RFC 6749 5.1: token responses (and, here, every OAuth endpoint's answer) must not be cached. */
export const NO_STORE_HEADERS = { 'Cache-Control': 'no-store', Pragma: 'no-cache' } as const;

/** Largest form body the OAuth endpoints read, in bytes (8 KiB): their parameters are a few hundred bytes. */
export const OAUTH_FORM_LIMIT_BYTES = 8 * 1024;

/** An RFC 6749 error (`{"error","error_description"}`) with the no-store headers. */
export function oauthError(
  code: OAuthErrorCode,
  description: string,
  options: { status?: number; reason?: string; headers?: Record<string, string> } = {},
): OAuthError {
  return new OAuthError(code, description, {
    status: options.status,
    reason: options.reason,
    headers: { Pragma: 'no-cache', ...options.headers },
  });
}

export function sendOAuthJson(res: ServerResponse, body: unknown): void {
  sendJson(res, 200, body, NO_STORE_HEADERS);
}

/** Parameters of the OAuth endpoints (RFC 6749, 7009, 7662), the only names an error message repeats back. */
const OAUTH_PARAMETERS: ReadonlySet<string> = new Set([
  'grant_type',
  'scope',
  'client_id',
  'client_secret',
  'token',
  'token_type_hint',
  'resource',
  'audience',
]);

/**
 * Reads an `application/x-www-form-urlencoded` body (RFC 6749 3.2 requires it on the token endpoint; RFC 7662/7009
 * on introspection and revocation) without Express. Parameters sent more than once are refused (RFC 6749 3.2), as is
 * any other content type.
 */
export async function readOAuthForm(req: IncomingMessage): Promise<Map<string, string>> {
  const contentType = req.headers['content-type'] ?? '';
  const mediaType = contentType.split(';', 1)[0]?.trim().toLowerCase();
  if (mediaType !== 'application/x-www-form-urlencoded') {
    throw oauthError('invalid_request', 'The request body must be application/x-www-form-urlencoded');
  }
  let raw: Buffer;
  try {
    raw = await readRawBody(req, OAUTH_FORM_LIMIT_BYTES);
  } catch (error) {
    // Too large: an RFC 6749 error like any other; anything else (the client went away) is not the caller's input.
    if (error instanceof AppError && error.code === 'invalid_request') {
      throw oauthError('invalid_request', `The request body must be at most ${OAUTH_FORM_LIMIT_BYTES} bytes`);
    }
    throw error;
  }
  const form = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(raw.toString('utf8'))) {
    if (form.has(name)) {
      // Only a parameter of the protocol is named: any other name is the caller's text, perhaps a misplaced secret.
      const which = OAUTH_PARAMETERS.has(name) ? `The parameter ${name}` : 'A form parameter';
      throw oauthError('invalid_request', `${which} must not be repeated`);
    }
    form.set(name, value);
  }
  return form;
}
