import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ValidationError } from './validation-error.js';

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for `http://localhost...`, `http://127.0.0.1...` and `http://[::1]...` (RFC 8252 loopback redirects). */
export function isLoopbackHttpUri(uri: string): boolean {
  try {
    const url = new URL(uri);
    return url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname);
  } catch {
    return false;
  }
}

/**
 * Throws unless `uri` is an absolute https URL without a fragment, or (when `loopbackAllowed`) an http loopback URL.
 * A URI built from tokens (e.g. a Container App FQDN) is checked only for its literal scheme prefix.
 */
export function checkRedirectUri(scope: IConstruct, prop: string, uri: string, loopbackAllowed: boolean): void {
  const allowed = loopbackAllowed
    ? 'an absolute https URL (or http://localhost, http://127.0.0.1, http://[::1]) without a fragment'
    : 'an absolute https URL without a fragment (loopback http is not allowed in this environment)';
  if (typeof uri !== 'string' || uri.trim() === '') throw new ValidationError(scope, prop, allowed, uri);
  if (Token.isUnresolved(uri)) {
    if (uri.startsWith('http://')) throw new ValidationError(scope, prop, allowed, uri);
    return;
  }
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new ValidationError(scope, prop, allowed, uri);
  }
  const httpsOk = url.protocol === 'https:';
  const loopbackOk = loopbackAllowed && isLoopbackHttpUri(uri);
  if ((!httpsOk && !loopbackOk) || url.hash !== '' || uri.includes('#')) {
    throw new ValidationError(scope, prop, allowed, uri);
  }
}
