import { describe, expect, it } from 'vitest';
import {
  generateApiKey,
  hashApiKeySecret,
  KEY_ID_LENGTH,
  parseApiKey,
  SECRET_LENGTH,
  verifyApiKeySecret,
} from '../../../runtime/src/credentials/api-key-format.js';
import { SecretBytes } from '../../../runtime/src/secret-bytes.js';
import { withLastCharacterChanged } from '../../support/tamper.js';

const pepper = new SecretBytes(Buffer.alloc(32, 1));

describe('API key format', () => {
  it('round-trips a generated key', () => {
    const key = generateApiKey('live');
    expect(key.apiKey).toMatch(/^sk_live_[0-9A-Za-z]{46}$/);
    expect(key.keyId).toHaveLength(KEY_ID_LENGTH);
    expect(key.secret).toHaveLength(SECRET_LENGTH);
    expect(parseApiKey(key.apiKey)).toEqual({ environment: 'live', keyId: key.keyId, secret: key.secret });
    expect(generateApiKey('test').apiKey.startsWith('sk_test_')).toBe(true);
    expect(generateApiKey('live').keyId).not.toBe(key.keyId);
  });

  it('rejects a one-character typo by checksum, and wrong prefixes or lengths', () => {
    const { apiKey } = generateApiKey('test');
    const i = 20;
    const typo = apiKey.slice(0, i) + (apiKey[i] === 'a' ? 'b' : 'a') + apiKey.slice(i + 1);
    expect(parseApiKey(typo)).toBeUndefined();
    expect(parseApiKey(apiKey.replace('sk_test_', 'sk_prod_'))).toBeUndefined();
    expect(parseApiKey(apiKey.slice(0, -1))).toBeUndefined();
    expect(parseApiKey(`${apiKey}x`)).toBeUndefined();
    expect(parseApiKey('')).toBeUndefined();
  });

  it('hashes the secret with the pepper and verifies in constant time', () => {
    const key = generateApiKey('test');
    const hash = hashApiKeySecret(pepper, key.secret);
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(hash).not.toContain(key.secret);
    expect(verifyApiKeySecret(pepper, key.secret, hash)).toBe(true);
    expect(verifyApiKeySecret(pepper, withLastCharacterChanged(key.secret), hash)).toBe(false);
    expect(verifyApiKeySecret(new SecretBytes(Buffer.alloc(32, 2)), key.secret, hash)).toBe(false);
    expect(verifyApiKeySecret(pepper, key.secret, 'short')).toBe(false);
  });
});
