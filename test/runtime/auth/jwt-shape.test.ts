import { describe, expect, it } from 'vitest';
import { looksLikeJwt, unverifiedIssuer, unverifiedStringClaim } from '../../../runtime/src/auth/jwt-shape.js';

const jwt = (payload: unknown): string =>
  `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(typeof payload === 'string' ? payload : JSON.stringify(payload)).toString('base64url')}.c2ln`;

describe('unverified JWT routing helpers', () => {
  it('reads a top-level string claim', () => {
    const token = jwt({ role: null, scope: 'a b', auth_kind: 'session', iss: 'https://auth.example.com' });
    expect(looksLikeJwt(token)).toBe(true);
    expect(unverifiedIssuer(token)).toBe('https://auth.example.com');
    expect(unverifiedStringClaim(token, 'auth_kind')).toBe('session');
    expect(unverifiedStringClaim(token, 'role')).toBeUndefined();
    expect(unverifiedStringClaim(token, 'sub')).toBeUndefined();
  });

  it('falls back to a full parse for escaped values and odd spacing', () => {
    expect(unverifiedIssuer(jwt({ iss: 'https://a.example/\u0022x' }))).toBe('https://a.example/"x');
    expect(unverifiedIssuer(jwt('{ "iss" : "https://spaced.example" }'))).toBe('https://spaced.example');
    expect(unverifiedIssuer(jwt({ note: 'text with "iss":"https://fake" inside', iss: 'https://real' }))).toBe(
      'https://real',
    );
  });

  it('answers for the token asked about when tokens alternate (the decoded payload is reused only for the same token)', () => {
    const a = jwt({ iss: 'https://a.example', auth_kind: 'session' });
    const b = jwt({ iss: 'https://b.example', auth_kind: 'client_credentials' });
    for (let i = 0; i < 2; i++) {
      expect(unverifiedIssuer(a)).toBe('https://a.example');
      expect(unverifiedStringClaim(a, 'auth_kind')).toBe('session');
      expect(unverifiedIssuer(b)).toBe('https://b.example');
      expect(unverifiedStringClaim(b, 'auth_kind')).toBe('client_credentials');
      expect(unverifiedIssuer('x.y')).toBeUndefined();
    }
  });

  it('answers undefined for anything that is not a JWT with that claim', () => {
    expect(unverifiedIssuer('abc')).toBeUndefined();
    expect(unverifiedIssuer('a.b.c')).toBeUndefined();
    expect(unverifiedIssuer(jwt('not json'))).toBeUndefined();
    expect(unverifiedIssuer(jwt({ iss: 42 }))).toBeUndefined();
    expect(looksLikeJwt('sk_test_abc')).toBe(false);
    expect(looksLikeJwt('tokid.secret')).toBe(false);
  });
});
