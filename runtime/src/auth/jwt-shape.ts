/** A compact JWS: three base64url segments. Cheap shape test; says nothing about validity. */
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export const looksLikeJwt = (value: string): boolean => value.length < 16_384 && COMPACT_JWS.test(value);

/**
 * Several resolvers ask about the same presented token in one request (does it route to me?); the payload is decoded
 * once for all of them. One entry, keyed by the token itself: a pure function's last answer.
 */
let lastToken: string | undefined;
let lastPayloadJson: string | undefined;

/** The decoded (UNVERIFIED) payload segment of a compact JWS, or undefined when there is none. */
function payloadJson(token: string): string | undefined {
  if (token === lastToken) return lastPayloadJson;
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  const json =
    first < 0 || second < 0 ? undefined : Buffer.from(token.slice(first + 1, second), 'base64url').toString('utf8');
  lastToken = token;
  lastPayloadJson = json;
  return json;
}

/**
 * A top-level string claim of an UNVERIFIED JWT (e.g. `iss`, `auth_kind`), to route the token to the resolver that
 * can verify it. Never trust it for anything else. Fast path without `JSON.parse` (this runs on every request of the
 * hot paths): inside a JSON string a quote is always escaped, so `"name":"` only occurs as a key; values containing
 * an escape fall back to a full parse. A nested object with the same key can only mis-route a token, and a mis-routed
 * token fails verification.
 */
export function unverifiedStringClaim(token: string, name: string): string | undefined {
  const json = payloadJson(token);
  if (json === undefined) return undefined;
  const marker = `"${name}":"`;
  const at = json.indexOf(marker);
  if (at !== -1) {
    const start = at + marker.length;
    const end = json.indexOf('"', start);
    if (end !== -1) {
      const value = json.slice(start, end);
      if (!value.includes('\\')) return value;
    }
  }
  try {
    const claims = JSON.parse(json) as Record<string, unknown>;
    const value = claims?.[name];
    return typeof value === 'string' ? value : undefined;
  } catch {
    return undefined;
  }
}

/** The unverified `iss` claim of a JWT: ours, or the configured Entra/OIDC issuer's. */
export const unverifiedIssuer = (token: string): string | undefined => unverifiedStringClaim(token, 'iss');
