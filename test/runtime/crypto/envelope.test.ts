import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { open, seal } from '../../../runtime/src/crypto/envelope.js';
import { SecretBytes } from '../../../runtime/src/secret-bytes.js';

const kek = new SecretBytes(randomBytes(32));

describe('envelope (AES-256-GCM)', () => {
  it('opens what it sealed, under the same context only', () => {
    const sealed = seal(kek, '{"state":"abc"}', 'ctx-a');
    expect(open(kek, sealed, 'ctx-a')).toBe('{"state":"abc"}');
    expect(() => open(kek, sealed, 'ctx-b')).toThrow(
      'Encrypted value cannot be decrypted with the configured KEY_ENCRYPTION_KEY',
    );
  });

  it('refuses a truncated authentication tag (GCM would otherwise check only the bytes presented, e.g. 32 bits)', () => {
    const [version, iv, ciphertext, tag] = seal(kek, '{"state":"abc"}', 'ctx-a').split('.');
    const shortTag = Buffer.from(tag as string, 'base64url')
      .subarray(0, 4)
      .toString('base64url');
    expect(() => open(kek, [version, iv, ciphertext, shortTag].join('.'), 'ctx-a')).toThrow(
      'Encrypted value cannot be decrypted with the configured KEY_ENCRYPTION_KEY',
    );
  });
});
