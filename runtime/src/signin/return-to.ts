/** Longest `return_to` accepted, in characters (a path and query; anything longer is not a page of ours). */
export const RETURN_TO_MAX_LENGTH = 2048;
export const DEFAULT_RETURN_TO = '/';

/**
 * Whether `value` is a same-origin relative path we may redirect to after sign-in. Only `/path?query#hash` forms are
 * accepted: no scheme, no host, no protocol-relative `//host`, no backslashes (browsers read `/\host` as `//host`),
 * no control characters, and it must still resolve to `publicUrl`'s origin.
 */
export function isSafeReturnTo(value: string, publicUrl: string): boolean {
  if (value.length === 0 || value.length > RETURN_TO_MAX_LENGTH) return false;
  if (!value.startsWith('/') || value.startsWith('//')) return false;
  // Backslash, whitespace and control characters: browsers strip or normalize them before resolving the URL.
  if (/[\\\s]/.test(value) || [...value].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f)) return false;
  try {
    const base = new URL(publicUrl);
    return new URL(value, base).origin === base.origin;
  } catch {
    return false;
  }
}
