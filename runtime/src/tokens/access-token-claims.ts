import type { AccessTokenClaims, TokenRejection } from './access-tokens.js';

/** What a verified access token's claims must match. */
export interface ExpectedClaims {
  readonly issuer: string;
  readonly audience: string;
  /** The current time, epoch seconds. */
  readonly nowSeconds: number;
  /** Leeway for `exp` and `nbf`, in seconds. */
  readonly toleranceSeconds: number;
}

export interface ClaimsRefusal {
  readonly reason: TokenRejection;
  readonly message: string;
}

/** Registered claims every access token of ours carries (RFC 9068 §2.2), plus the ones the contract adds. */
const REQUIRED_CLAIMS = ['iss', 'aud', 'sub', 'exp', 'iat', 'jti', 'auth_kind', 'org_id'] as const;
const STRING_CLAIMS = ['iss', 'sub', 'jti', 'auth_kind', 'org_id'] as const;
const NUMERIC_DATES = ['exp', 'iat'] as const;

/** RFC 9068 §4: the `typ` header is `at+jwt`, or `application/at+jwt`, compared case-insensitively. */
export function isAccessTokenType(typ: unknown): boolean {
  if (typeof typ !== 'string') return false;
  const normalized = typ.toLowerCase();
  return normalized === 'at+jwt' || normalized === 'application/at+jwt';
}

/**
 * Checks the claims set of a token whose signature verified: a JSON object with every required claim, of the right
 * type, for our issuer and audience, not before its `nbf` and not after its `exp` (both with the leeway). When several
 * fail, the first in that order is reported (as jose orders them, with the type checks first).
 * Returns the claims, or why they are refused.
 */
export function checkAccessTokenClaims(
  claims: unknown,
  expected: ExpectedClaims,
): { readonly claims: AccessTokenClaims } | { readonly refusal: ClaimsRefusal } {
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) {
    return refuse('malformed', 'The access token is malformed');
  }
  const set = claims as Record<string, unknown>;
  for (const name of REQUIRED_CLAIMS) {
    if (!Object.hasOwn(set, name)) return refuse('claims', 'The access token lacks required claims');
  }
  for (const name of STRING_CLAIMS) {
    if (typeof set[name] !== 'string') return refuse('claims', 'The access token has invalid claims');
  }
  for (const name of NUMERIC_DATES) {
    if (!Number.isFinite(set[name])) return refuse('claims', 'The access token has invalid claims');
  }
  if (set.nbf !== undefined && !Number.isFinite(set.nbf))
    return refuse('claims', 'The access token has invalid claims');
  if (set.iss !== expected.issuer) return refuse('issuer', 'The access token has the wrong issuer');
  const aud = set.aud;
  if (!(aud === expected.audience || (Array.isArray(aud) && aud.includes(expected.audience)))) {
    return refuse('audience', 'The access token has the wrong audience');
  }
  if (typeof set.nbf === 'number' && set.nbf > expected.nowSeconds + expected.toleranceSeconds) {
    return refuse('claims', 'The access token is not valid yet');
  }
  if ((set.exp as number) <= expected.nowSeconds - expected.toleranceSeconds) {
    return refuse('expired', 'The access token has expired');
  }
  return { claims: set as unknown as AccessTokenClaims };
}

const refuse = (reason: TokenRejection, message: string) => ({ refusal: { reason, message } });
