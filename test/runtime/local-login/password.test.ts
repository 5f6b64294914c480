import { describe, expect, it } from 'vitest';
import { ARGON2ID_PARAMETERS, PasswordHasher } from '../../../runtime/src/local-login/password-hash.js';
import { MIN_PASSWORD_LENGTH, passwordProblems } from '../../../runtime/src/local-login/password-policy.js';

describe('password hashing', () => {
  const hasher = new PasswordHasher();

  it('hashes with argon2id at the documented parameters, a fresh salt each time, and verifies', async () => {
    const first = await hasher.hash('correct horse battery staple');
    const second = await hasher.hash('correct horse battery staple');
    const { memoryCost, timeCost, parallelism } = ARGON2ID_PARAMETERS;
    expect(first).toMatch(new RegExp(`^\\$argon2id\\$v=19\\$m=${memoryCost},p=${parallelism},t=${timeCost}\\$`));
    expect({ memoryCost, timeCost, parallelism }).toEqual({ memoryCost: 19 * 1024, timeCost: 2, parallelism: 1 });
    expect(second).not.toBe(first);
    expect(first).not.toContain('correct horse');
    expect(await hasher.verify(first, 'correct horse battery staple')).toBe(true);
    expect(await hasher.verify(first, 'Correct horse battery staple')).toBe(false);
  });

  it('answers false, without throwing, for a stored value that is not a hash', async () => {
    expect(await hasher.verify('not a hash', 'whatever password')).toBe(false);
  });

  it('makes a dummy hash no password is known for', async () => {
    const dummy = await hasher.dummyHash();
    expect(dummy).toMatch(/^\$argon2id\$/);
    expect(await hasher.verify(dummy, '')).toBe(false);
  });
});

describe('password policy', () => {
  it('accepts a long password unrelated to the e-mail', () => {
    expect(passwordProblems('violet-anchor-tundra-42', 'ops@example.com')).toEqual([]);
  });

  it(`refuses fewer than ${MIN_PASSWORD_LENGTH} characters, counting characters rather than UTF-16 units`, () => {
    expect(passwordProblems('short-pw', 'ops@example.com')).toEqual([
      'the password must be at least 12 characters long (it has 8)',
    ]);
    expect(passwordProblems('🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑🔑', 'ops@example.com')).toEqual([
      'the password must be at least 12 characters long (it has 11)',
    ]);
  });

  it('refuses a password that is or contains the e-mail or its name part, ignoring case', () => {
    expect(passwordProblems('Break.Glass@Example.com', 'break.glass@example.com')).toEqual([
      'the password must not contain the e-mail address',
    ]);
    expect(passwordProblems('xx-BREAK.GLASS@example.com-xx', 'break.glass@example.com')).toEqual([
      'the password must not contain the e-mail address',
    ]);
    expect(passwordProblems('my-break.glass-2030!', 'break.glass@example.com')).toEqual([
      'the password must not contain the e-mail\'s name part ("break.glass")',
    ]);
  });

  it('refuses a very short name part only as the whole password', () => {
    expect(passwordProblems('a-long-enough-passphrase', 'a@example.com')).toEqual([]);
  });

  it('lists every problem at once', () => {
    expect(passwordProblems('ops', 'ops@example.com')).toHaveLength(2);
  });
});
