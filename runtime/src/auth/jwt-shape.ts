/** A compact JWS: three base64url segments. Cheap shape test; says nothing about validity. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export const looksLikeJwt = (value: string): boolean => value.length < 16_384 && COMPACT_JWS.test(value);

/**
 * The unverified `iss` claim of a JWT, to route it to the resolver of its issuer (ours, or the configured Entra/OIDC
 * issuer). Never trust anything else from an unverified payload.
 */
export function unverifiedIssuer(token: string): string | undefined {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first < 0 || second < 0) return undefined;
  try {
    const payload = JSON.parse(Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8')) as {
      iss?: unknown;
    };
    return typeof payload.iss === 'string' ? payload.iss : undefined;
  } catch {
    return undefined;
  }
}
