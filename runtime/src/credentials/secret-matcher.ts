import { constantTimeEqual } from '../crypto/constant-time.js';
import { hashSecret } from '../crypto/secret-hash.js';
import { VerifiedSecretMemo } from '../crypto/verified-secret-memo.js';
import type { SecretBytes } from '../secret-bytes.js';

/** A stored keyed hash of a secret (`hashSecret`), held by a cached credential. */
export interface StoredSecretHash {
  readonly hash: string;
}

/**
 * Which of a credential's stored secret hashes a presented secret is. A secret that already verified against a cached
 * holder is recognised by its SHA-256 (VerifiedSecretMemo). Anything else pays the HMAC, even when there is nothing to
 * compare it with (an unknown credential), so the answer takes as long as for a wrong secret, and is compared in
 * constant time with every candidate, so timing does not tell which one matched.
 */
export class SecretMatcher {
  readonly #pepper: SecretBytes;
  readonly #verified = new VerifiedSecretMemo();

  constructor(pepper: SecretBytes) {
    this.#pepper = pepper;
  }

  match<T extends StoredSecretHash>(candidates: readonly T[], secret: string): T | undefined {
    const digest = this.#verified.digest(secret);
    const remembered = candidates.find((candidate) => this.#verified.matches(candidate, digest));
    if (remembered) return remembered;
    const presented = hashSecret(this.#pepper, secret);
    let matched: T | undefined;
    for (const candidate of candidates) {
      if (constantTimeEqual(presented, candidate.hash)) matched = candidate;
    }
    if (matched) this.#verified.remember(matched, digest);
    return matched;
  }
}
