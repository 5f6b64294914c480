import { type KeyObject, verify } from 'node:crypto';
import type { SigningAlg } from '../config.js';

/**
 * Parses and verifies RFC 7515 compact JWS of our own access tokens with node:crypto, the counterpart of
 * jws-signer.ts. The signature check runs on the libuv thread pool through the callback form of `crypto.verify`.
 *
 * Why not jose here: jose verifies through WebCrypto, whose argument normalisation and job set-up run on the event loop
 * and cost 25-75 µs per ES256 token there under load, against about 10 µs for `crypto.verify`; a fresh token's verify
 * rose from about 70% to 77-92% of jose's own raw rate on two cores. jose still verifies every token
 * that comes from elsewhere (Entra ID, client assertions), and the tests check that the two agree on our tokens.
 *
 * Strict by design: exactly three segments of canonical base64url without padding, a header that is a JSON object,
 * no `crit` extensions (none are understood), an algorithm fixed by the key and never by the token, and a signature of
 * the exact length the algorithm produces where it has one.
 */

/** Why a token was refused before its claims were read. */
export type JwsRejection = 'malformed' | 'signature';

export class JwsError extends Error {
  readonly reason: JwsRejection;

  constructor(reason: JwsRejection, message: string) {
    super(message);
    this.name = 'JwsError';
    this.reason = reason;
  }
}

/** A compact JWS split and decoded, signature not yet checked. */
export interface CompactJws {
  readonly header: Readonly<Record<string, unknown>>;
  /** The payload bytes (for a JWT, the claims set as UTF-8 JSON). */
  readonly payload: Buffer;
  /** `BASE64URL(header) "." BASE64URL(payload)`, what the signature covers. */
  readonly signingInput: string;
  readonly signature: Buffer;
}

const BASE64URL_SEGMENT = /^[A-Za-z0-9_-]*$/;
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * One base64url segment, in its one canonical spelling: characters outside the alphabet and impossible lengths are
 * refused (Buffer would skip them), and so are non-zero unused bits in the last character, which would otherwise give
 * each signature several spellings that all verify (harmless for revocation, which keys on `jti`, but pointless).
 */
function decodeSegment(segment: string, what: string): Buffer {
  const bytes = BASE64URL_SEGMENT.test(segment) ? Buffer.from(segment, 'base64url') : undefined;
  if (bytes === undefined || bytes.toString('base64url') !== segment) {
    throw new JwsError('malformed', `The token's ${what} is not canonical base64url`);
  }
  return bytes;
}

/** The payload as JSON (strict UTF-8, as jose reads it); throws `JwsError` (`malformed`) when it is not. */
export function parseJsonPayload(jws: CompactJws): unknown {
  try {
    return JSON.parse(strictUtf8.decode(jws.payload));
  } catch {
    throw new JwsError('malformed', "The token's payload is not JSON");
  }
}

/** Splits a compact JWS and decodes its header; throws `JwsError` (`malformed`) on anything else. */
export function parseCompactJws(token: string): CompactJws {
  const first = token.indexOf('.');
  const second = token.indexOf('.', first + 1);
  if (first <= 0 || second < 0 || token.indexOf('.', second + 1) !== -1) {
    throw new JwsError('malformed', 'The token is not a compact JWS of three segments');
  }
  let header: unknown;
  try {
    header = JSON.parse(strictUtf8.decode(decodeSegment(token.slice(0, first), 'header')));
  } catch (error) {
    if (error instanceof JwsError) throw error;
    throw new JwsError('malformed', "The token's header is not JSON");
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw new JwsError('malformed', "The token's header is not a JSON object");
  }
  if ('crit' in header) {
    throw new JwsError('malformed', 'The token names critical header extensions, and none are supported');
  }
  return {
    header: header as Record<string, unknown>,
    payload: decodeSegment(token.slice(first + 1, second), 'payload'),
    signingInput: token.slice(0, second),
    signature: decodeSegment(token.slice(second + 1), 'signature'),
  };
}

/** The one signature length each algorithm produces, where it is fixed (RSA's is the modulus length). */
const SIGNATURE_BYTES: Partial<Record<SigningAlg, number>> = { ES256: 64, EdDSA: 64 };

/**
 * Checks the signature of `jws` with `key`, made for `alg`. Resolves when it verifies; rejects with `JwsError`
 * (`signature`) when it does not, including when node:crypto refuses the signature's encoding.
 */
export function verifyJwsSignature(jws: CompactJws, alg: SigningAlg, key: KeyObject): Promise<void> {
  const expectedLength = SIGNATURE_BYTES[alg];
  if (expectedLength !== undefined && jws.signature.length !== expectedLength) {
    return Promise.reject(new JwsError('signature', 'The token signature is invalid'));
  }
  const data = Buffer.from(jws.signingInput, 'latin1');
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, valid: boolean) =>
      !error && valid ? resolve() : reject(new JwsError('signature', 'The token signature is invalid'));
    if (alg === 'ES256') verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, jws.signature, done);
    else if (alg === 'RS256') verify('sha256', data, key, jws.signature, done);
    else verify(null, data, key, jws.signature, done); // EdDSA (Ed25519): the algorithm is implied by the key
  });
}

/**
 * True when `key` is a public key of the kind for `alg`: P-256 (ES256), RSA of 2048 bits or more (RS256), Ed25519
 * (EdDSA). Any other `alg`, e.g. one read from a store row edited by hand, fits nothing.
 */
export function keyFitsAlgorithm(key: KeyObject, alg: string): alg is SigningAlg {
  if (key.type !== 'public') return false;
  if (alg === 'ES256') return key.asymmetricKeyType === 'ec' && key.asymmetricKeyDetails?.namedCurve === 'prime256v1';
  // 2048 bits at least, as jose and RFC 7518 §3.3 require.
  if (alg === 'RS256') return key.asymmetricKeyType === 'rsa' && (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048;
  if (alg === 'EdDSA') return key.asymmetricKeyType === 'ed25519';
  return false;
}
