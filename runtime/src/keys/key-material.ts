import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SigningAlg } from '../config.js';
import { openWithAny, seal } from '../crypto/envelope.js';
import type { SecretBytes } from '../secret-bytes.js';

export interface GeneratedSigningKey {
  readonly kid: string;
  readonly alg: SigningAlg;
  /** Public JWK as published in JWKS (`kid`, `alg`, `use: "sig"`). */
  readonly publicJwk: JWK;
  /** Private JWK sealed with the key-encryption key (AES-256-GCM, the kid bound as context). */
  readonly privateJwkEncrypted: string;
}

/**
 * A fresh key pair for `alg`. The `kid` is the RFC 7638 thumbprint of the public key, so it is stable and unique
 * without coordination between replicas.
 */
export async function generateSigningKey(alg: SigningAlg, kek: SecretBytes): Promise<GeneratedSigningKey> {
  const options =
    alg === 'EdDSA'
      ? { crv: 'Ed25519', extractable: true }
      : alg === 'RS256'
        ? { modulusLength: 2048, extractable: true }
        : { extractable: true };
  const { publicKey, privateKey } = await generateKeyPair(alg, options);
  const kid = await calculateJwkThumbprint(await exportJWK(publicKey));
  const publicJwk: JWK = { ...(await exportJWK(publicKey)), kid, alg, use: 'sig' };
  const privateJwk: JWK = { ...(await exportJWK(privateKey)), kid, alg };
  return { kid, alg, publicJwk, privateJwkEncrypted: seal(kek, JSON.stringify(privateJwk), kid) };
}

/**
 * The private JWK of a stored key. `keks` are the current key-encryption key first, then any being rotated away from
 * (KEY_ENCRYPTION_KEY_PREVIOUS), so keys not yet re-wrapped keep signing during a KEK rotation.
 */
export function decryptPrivateJwk(keks: readonly SecretBytes[], kid: string, envelope: string): JWK {
  return JSON.parse(openWithAny(keks, envelope, kid).plaintext) as JWK;
}
