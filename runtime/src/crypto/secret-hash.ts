import { createHmac } from 'node:crypto';
import type { SecretBytes } from '../secret-bytes.js';
import { constantTimeEqual } from './constant-time.js';

/**
 * Keyed hash of a credential secret: hex HMAC-SHA-256 under the server-side pepper (`API_KEY_PEPPER`). Used for API
 * keys, client secrets, team tokens and refresh tokens; the store never sees a secret.
 */
export function hashSecret(pepper: SecretBytes, secret: string): string {
  return createHmac('sha256', pepper.reveal()).update(secret, 'utf8').digest('hex');
}

/** Whether `secret` hashes to `storedHash`, compared in constant time. */
export function verifySecret(pepper: SecretBytes, secret: string, storedHash: string): boolean {
  return constantTimeEqual(hashSecret(pepper, secret), storedHash);
}
