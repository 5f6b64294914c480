import { type KeyObject, sign } from 'node:crypto';
import type { SigningAlg } from '../config.js';

/**
 * Signs a JWT as an RFC 7515 compact JWS with node:crypto's callback form of `sign`, which runs the signature on the
 * libuv thread pool: the event loop keeps parsing and answering other requests while a token is signed, so issuance
 * uses a second core when there is one (about 1.6x the token endpoint's throughput on two cores, against signing on
 * the event loop).
 *
 * Why not jose here: jose signs through WebCrypto, whose argument normalisation and key checks cost far more per ES256
 * token than `crypto.sign` (the bench's target: issuance at least twice oidc-provider's). jws-verifier.ts is the
 * counterpart. The serialization is the standard one; tests verify tokens of every algorithm with jose against the
 * published JWKS.
 */
export function signJwt(
  alg: SigningAlg,
  key: KeyObject,
  header: Readonly<Record<string, unknown>>,
  payload: Readonly<Record<string, unknown>>,
): Promise<string> {
  return signJws(alg, key, encodeJwsHeader({ ...header, alg }), payload);
}

/** The base64url JSON of a JWS protected header, as `signJws` takes it. */
export function encodeJwsHeader(header: Readonly<Record<string, unknown>>): string {
  return base64urlJson(header);
}

/**
 * `signJwt` for a hot path: the protected header comes already encoded (`encodeJwsHeader`), once per key rather than
 * once per token. Building `{ ...header, alg }` on every call made V8 create a fresh hidden class and descriptor array
 * each time, in the old generation: about 140 bytes a token, and a full mark-compact every ~11 s under issuance.
 */
export function signJws(
  alg: SigningAlg,
  key: KeyObject,
  encodedHeader: string,
  payload: Readonly<Record<string, unknown>>,
): Promise<string> {
  const input = `${encodedHeader}.${base64urlJson(payload)}`;
  const data = Buffer.from(input);
  return new Promise((resolve, reject) => {
    const done = (error: Error | null, signature: Buffer) =>
      error ? reject(error) : resolve(`${input}.${signature.toString('base64url')}`);
    if (alg === 'ES256') sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, done);
    else if (alg === 'RS256') sign('sha256', data, key, done);
    else sign(null, data, key, done); // EdDSA (Ed25519): the algorithm is implied by the key
  });
}

function base64urlJson(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
