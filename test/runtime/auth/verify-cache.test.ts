import { describe, expect, it } from 'vitest';
import { VerifyCache } from '../../../runtime/src/auth/verify-cache.js';

describe('VerifyCache', () => {
  it('keys entries by the SHA-256 of the token, never the token itself', () => {
    const key = VerifyCache.keyOf('eyJhbGciOi.payload.signature');
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(key).not.toContain('payload');
    expect(VerifyCache.keyOf('eyJhbGciOi.payload.signature')).toBe(key);
  });

  it('never serves an entry at or after its expiry', () => {
    const cache = new VerifyCache<string>();
    cache.set('k', 'principal', 10_000, 'jti-1');
    expect(cache.get('k', 9_999)).toBe('principal');
    expect(cache.get('k', 10_000)).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  it('stays within its bound by dropping the oldest entry', () => {
    const cache = new VerifyCache<string>(2);
    cache.set('a', 'A', 1e15, 'ja');
    cache.set('b', 'B', 1e15, 'jb');
    cache.set('c', 'C', 1e15, 'jc');
    expect(cache.size).toBe(2);
    expect(cache.get('a', 0)).toBeUndefined();
    expect(cache.get('c', 0)).toBe('C');
  });

  it('drops every entry of a revoked token id', () => {
    const cache = new VerifyCache<string>();
    cache.set('x1', 'X', 1e15, 'same-jti');
    cache.set('x2', 'X', 1e15, 'same-jti');
    cache.set('y', 'Y', 1e15, 'other');
    cache.deleteById('same-jti');
    expect([cache.get('x1', 0), cache.get('x2', 0), cache.get('y', 0)]).toEqual([undefined, undefined, 'Y']);
  });
});
