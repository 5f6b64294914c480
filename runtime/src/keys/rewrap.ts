import { openWithAny, seal } from '../crypto/envelope.js';
import type { SecretBytes } from '../secret-bytes.js';
import type { Store } from '../store/store.js';

export interface RewrapResult {
  /** Keys whose private part was sealed under a previous KEK and is now sealed under the current one. */
  readonly rewrapped: readonly string[];
  /** Keys already sealed under the current KEK (left as they are). */
  readonly alreadyCurrent: readonly string[];
}

export class RewrapError extends Error {
  override readonly name = 'RewrapError';
}

/**
 * `gatehouse keys rewrap`: re-seals the private part of every stored signing key under the current key-encryption
 * key (`current`), opening it with `previous` (KEY_ENCRYPTION_KEY_PREVIOUS) where the current one does not. Idempotent:
 * a key already under `current` is not written. Each update is conditional on the envelope it read, so a concurrent
 * rotation or re-wrap is never overwritten. Throws `RewrapError`, naming the key, when one opens under neither key;
 * keys re-wrapped before that stay re-wrapped, and a rerun continues.
 */
export async function rewrapSigningKeys(
  store: Store,
  current: SecretBytes,
  previous: readonly SecretBytes[],
): Promise<RewrapResult> {
  const rows = await store.db
    .selectFrom('signing_keys')
    .select(['kid', 'private_jwk_encrypted'])
    .orderBy('kid')
    .execute();
  const rewrapped: string[] = [];
  const alreadyCurrent: string[] = [];
  for (const row of rows) {
    let opened: { plaintext: string; kekIndex: number };
    try {
      opened = openWithAny([current, ...previous], row.private_jwk_encrypted, row.kid);
    } catch {
      throw new RewrapError(
        `signing key ${row.kid} opens with neither KEY_ENCRYPTION_KEY nor KEY_ENCRYPTION_KEY_PREVIOUS: set KEY_ENCRYPTION_KEY_PREVIOUS to the key it was sealed with`,
      );
    }
    if (opened.kekIndex === 0) {
      alreadyCurrent.push(row.kid);
      continue;
    }
    await store.db
      .updateTable('signing_keys')
      .set({ private_jwk_encrypted: seal(current, opened.plaintext, row.kid) })
      .where('kid', '=', row.kid)
      .where('private_jwk_encrypted', '=', row.private_jwk_encrypted)
      .execute();
    rewrapped.push(row.kid);
  }
  return { rewrapped, alreadyCurrent };
}
