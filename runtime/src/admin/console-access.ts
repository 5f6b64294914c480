import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticator.js';
import { presentedCredential } from '../auth/presented-credential.js';
import type { Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import { type ConsoleSection, sectionsFor } from './console-sections.js';

/** What `GET /admin` answers a request with. */
export type ConsoleAccess =
  | { readonly kind: 'sign_in' }
  | { readonly kind: 'forbidden'; readonly principal: Principal }
  | { readonly kind: 'granted'; readonly principal: Principal; readonly sections: readonly ConsoleSection[] };

/**
 * Decides who gets the console. Only a browser session counts: the `access_token` cookie holding a session token
 * (a Bearer token or an API key is no reason to serve a page, and the page's script works with the cookie only).
 * A missing, expired, revoked or otherwise invalid session means "sign in" (the browser's refresh cookie is scoped to
 * /auth and never reaches /admin, so signing in again is the way back). Other failures (429 for an address that
 * failed too often, 500) are thrown to the error middleware.
 */
export async function consoleAccess(auth: Authenticator, req: IncomingMessage): Promise<ConsoleAccess> {
  if (presentedCredential(req)?.source !== 'cookie') return { kind: 'sign_in' };
  let principal: Principal;
  try {
    principal = await auth.authenticate(req);
  } catch (error) {
    if (error instanceof AppError && error.status === 401) return { kind: 'sign_in' };
    throw error;
  }
  if (principal.kind !== 'session') return { kind: 'sign_in' };
  const sections = sectionsFor(principal);
  return sections.length === 0 ? { kind: 'forbidden', principal } : { kind: 'granted', principal, sections };
}
