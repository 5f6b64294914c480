import { describe, expect, it } from 'vitest';
import { type TokenKind, TokenKindRegistry, type TokenRequest } from '../../../runtime/src/oauth/token-kinds.js';

const request = {
  actor: { kind: 'test', subject: 't' },
  ip: null,
  userAgent: null,
  req: {},
} as unknown as TokenRequest;

function kind(name: string, hints: string[], vouches: boolean, seen: string[]): TokenKind {
  return {
    name,
    hints,
    matches: (token) => token.startsWith('x'),
    introspect: async () => {
      seen.push(name);
      return vouches
        ? { claims: { jti: name }, orgId: 'default', teamId: null, issuedTo: null, credentialId: name }
        : null;
    },
  };
}

describe('TokenKindRegistry', () => {
  it('asks matching kinds in the order given and returns the first that vouches', async () => {
    const seen: string[] = [];
    const registry = new TokenKindRegistry([
      kind('a', ['access_token'], false, seen),
      kind('b', ['refresh_token'], true, seen),
      kind('c', ['refresh_token'], true, seen),
    ]);
    const found = await registry.find('x-token', undefined, request);
    expect(found?.kind.name).toBe('b');
    expect(seen).toEqual(['a', 'b']);
  });

  it('asks the kinds a token_type_hint names first, then the others', async () => {
    const seen: string[] = [];
    const registry = new TokenKindRegistry([
      kind('a', ['access_token'], false, seen),
      kind('b', ['refresh_token'], false, seen),
    ]);
    expect(await registry.find('x-token', 'refresh_token', request)).toBeUndefined();
    expect(seen).toEqual(['b', 'a']);
  });

  it('never asks a kind whose shape does not match, and refuses two kinds of the same name', async () => {
    const seen: string[] = [];
    const registry = new TokenKindRegistry([kind('a', [], true, seen)]);
    expect(await registry.find('y-token', undefined, request)).toBeUndefined();
    expect(seen).toEqual([]);
    expect(() => new TokenKindRegistry([kind('a', [], true, seen), kind('a', [], true, seen)])).toThrow(
      'Two token kinds are named "a"',
    );
  });
});
