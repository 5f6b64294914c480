import { randomBytes } from 'node:crypto';

/** Bytes of CSPRNG output in a generated client secret or team/admin token secret (256 bits). */
export const SECRET_BYTES = 32;
/** Length of `randomSecret()` output: base64url of 32 bytes, no padding. */
export const RANDOM_SECRET_LENGTH = 43;

/** A fresh secret: 256 bits from the CSPRNG, base64url (`[A-Za-z0-9_-]`, never a `.`), 43 characters. */
export function randomSecret(): string {
  return randomBytes(SECRET_BYTES).toString('base64url');
}
