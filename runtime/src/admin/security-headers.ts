import type { ServerResponse } from 'node:http';

/**
 * Content-Security-Policy of every admin response: scripts, styles and fetches from this origin only, no inline script
 * or style, no plugins, no `<base>` rewriting, forms post only here, never framed. Trusted Types are required and no
 * policy may be created, so the browser itself refuses any `innerHTML`-style sink: the page builds its DOM with
 * `textContent` and `createElement` only.
 */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

/** Sets the console's security headers (page, 403 page and assets alike). */
export function setConsoleSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONSOLE_CSP);
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  // Same-origin requests keep their Referer (the CSRF check's fallback when a client strips Origin); others get none.
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
}
