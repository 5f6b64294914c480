import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import type { SecretBytes } from '../secret-bytes.js';

/**
 * AES-256-GCM envelope for data at rest (signing keys' private JWKs). Format: `v1.<iv>.<ciphertext>.<tag>`, base64url
 * parts. `context` (e.g. the key id) is bound as additional authenticated data, so an envelope cannot be moved to
 * another row. The 256-bit AES key is derived from the key-encryption key with HKDF-SHA-256, so a longer KEK is fine.
 */
const VERSION = 'v1';
const IV_BYTES = 12;
/** Full 128-bit GCM tag. Node would otherwise accept a tag truncated to as little as 4 bytes (a 2^-32 forgery). */
const TAG_BYTES = 16;

function deriveKey(kek: SecretBytes): Buffer {
  return Buffer.from(hkdfSync('sha256', kek.reveal(), Buffer.alloc(0), 'gatehouse/envelope/v1', 32));
}

export function seal(kek: SecretBytes, plaintext: string, context: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', deriveKey(kek), iv);
  cipher.setAAD(Buffer.from(context, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
  return [VERSION, iv, ciphertext, cipher.getAuthTag()]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
    .join('.');
}

/**
 * Opens an envelope sealed under any of `keks`, tried in order (the current key first, then those being rotated
 * away from); says which one opened it. Throws like `open` when none does.
 */
export function openWithAny(
  keks: readonly SecretBytes[],
  envelope: string,
  context: string,
): { plaintext: string; kekIndex: number } {
  let failure: unknown = new Error('Encrypted value cannot be decrypted: no KEY_ENCRYPTION_KEY configured');
  for (const [kekIndex, kek] of keks.entries()) {
    try {
      return { plaintext: open(kek, envelope, context), kekIndex };
    } catch (error) {
      failure = error;
    }
  }
  throw failure;
}

/** Throws when the envelope was tampered with, belongs to another context, or was sealed under another KEK. */
export function open(kek: SecretBytes, envelope: string, context: string): string {
  const [version, iv, ciphertext, tag] = envelope.split('.');
  if (version !== VERSION || !iv || ciphertext === undefined || !tag) {
    throw new Error('Encrypted value has an unknown format');
  }
  const tagBytes = Buffer.from(tag, 'base64url');
  if (tagBytes.length !== TAG_BYTES) {
    throw new Error('Encrypted value cannot be decrypted with the configured KEY_ENCRYPTION_KEY');
  }
  const decipher = createDecipheriv('aes-256-gcm', deriveKey(kek), Buffer.from(iv, 'base64url'), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(Buffer.from(context, 'utf8'));
  decipher.setAuthTag(tagBytes);
  try {
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('Encrypted value cannot be decrypted with the configured KEY_ENCRYPTION_KEY');
  }
}
