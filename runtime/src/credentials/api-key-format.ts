import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { hashSecret, verifySecret } from '../crypto/secret-hash.js';
import type { SecretBytes } from '../secret-bytes.js';

/**
 * API key wire format: `sk_live_<key_id><secret><checksum>` (`sk_test_` outside production).
 * - key_id: 16 base62 characters, public, the store's lookup key (fixed length so parsing is unambiguous);
 * - secret: 24 base62 characters from the CSPRNG (~142 bits), stored only as HMAC-SHA-256(pepper, secret);
 * - checksum: CRC32 of everything before it, 6 base62 characters, so typos and scanner false positives are rejected
 *   without touching the store.
 */
export const API_KEY_PREFIX = { live: 'sk_live_', test: 'sk_test_' } as const;
export type ApiKeyEnvironment = keyof typeof API_KEY_PREFIX;
export const KEY_ID_LENGTH = 16;
export const SECRET_LENGTH = 24;
export const CHECKSUM_LENGTH = 6;
/** Header API keys are sent in. */
export const API_KEY_HEADER = 'X-API-Key';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const BODY_LENGTH = KEY_ID_LENGTH + SECRET_LENGTH + CHECKSUM_LENGTH;
const PATTERN = new RegExp(`^sk_(live|test)_([0-9A-Za-z]{${BODY_LENGTH}})$`);

/** Uniform random base62 string (rejection sampling: no modulo bias). */
function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < 248) out += BASE62[byte % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

function checksumOf(text: string): string {
  let value = crc32(text);
  let out = '';
  for (let i = 0; i < CHECKSUM_LENGTH; i++) {
    out = BASE62[value % 62] + out;
    value = Math.floor(value / 62);
  }
  return out;
}

export interface GeneratedApiKey {
  /** The full key, shown to its owner once. */
  readonly apiKey: string;
  readonly keyId: string;
  readonly secret: string;
  readonly environment: ApiKeyEnvironment;
}

export interface ParsedApiKey {
  readonly keyId: string;
  readonly secret: string;
  readonly environment: ApiKeyEnvironment;
}

/** `live` in production, `test` everywhere else. */
export const apiKeyEnvironmentFor = (isProduction: boolean): ApiKeyEnvironment => (isProduction ? 'live' : 'test');

export function generateApiKey(environment: ApiKeyEnvironment): GeneratedApiKey {
  const keyId = randomBase62(KEY_ID_LENGTH);
  const secret = randomBase62(SECRET_LENGTH);
  const unsigned = `${API_KEY_PREFIX[environment]}${keyId}${secret}`;
  return { apiKey: `${unsigned}${checksumOf(unsigned)}`, keyId, secret, environment };
}

/** Splits a presented key; undefined when the prefix, length, alphabet or checksum is wrong. No store access. */
export function parseApiKey(value: string): ParsedApiKey | undefined {
  const match = PATTERN.exec(value);
  if (!match) return undefined;
  const environment = match[1] as ApiKeyEnvironment;
  const body = match[2] as string;
  const unsigned = value.slice(0, value.length - CHECKSUM_LENGTH);
  if (checksumOf(unsigned) !== body.slice(KEY_ID_LENGTH + SECRET_LENGTH)) return undefined;
  return {
    environment,
    keyId: body.slice(0, KEY_ID_LENGTH),
    secret: body.slice(KEY_ID_LENGTH, KEY_ID_LENGTH + SECRET_LENGTH),
  };
}

/** What the store keeps for a key's secret. */
export const hashApiKeySecret = (pepper: SecretBytes, secret: string): string => hashSecret(pepper, secret);

/** Constant-time check of a presented secret against the stored hash. */
export const verifyApiKeySecret = (pepper: SecretBytes, secret: string, storedHash: string): boolean =>
  verifySecret(pepper, secret, storedHash);
