import { generateKeyPairSync, type KeyObject, sign } from 'node:crypto';
import { CompactSign } from 'jose';
import { describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../../runtime/src/config.js';
import {
  JwsError,
  keyFitsAlgorithm,
  parseCompactJws,
  parseJsonPayload,
  verifyJwsSignature,
} from '../../../runtime/src/tokens/jws-verifier.js';

/** base64url of bytes, of a string's UTF-8, or of anything else as JSON. */
const b64 = (value: unknown) =>
  (Buffer.isBuffer(value) ? value : Buffer.from(typeof value === 'string' ? value : JSON.stringify(value))).toString(
    'base64url',
  );

function keyPair(alg: SigningAlg): { publicKey: KeyObject; privateKey: KeyObject } {
  if (alg === 'ES256') return generateKeyPairSync('ec', { namedCurve: 'P-256' });
  if (alg === 'RS256') return generateKeyPairSync('rsa', { modulusLength: 2048 });
  return generateKeyPairSync('ed25519');
}

/** A compact JWS made by jose, the reference implementation the verifier must agree with. */
const joseSigned = (alg: SigningAlg, key: KeyObject, payload: unknown = { sub: 'u' }) =>
  new CompactSign(Buffer.from(JSON.stringify(payload))).setProtectedHeader({ alg, kid: 'k1' }).sign(key);

async function refusal(run: () => unknown): Promise<string> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(JwsError);
    return (error as JwsError).reason;
  }
  throw new Error('expected a JwsError');
}

describe.each(['ES256', 'RS256', 'EdDSA'] as const)('%s signatures', (alg) => {
  const { publicKey, privateKey } = keyPair(alg);

  it('verifies what jose signs, and refuses it after any change to header, payload or signature', async () => {
    const token = await joseSigned(alg, privateKey, { sub: 'usr_1', n: 1 });
    const jws = parseCompactJws(token);
    expect(jws.header).toEqual({ alg, kid: 'k1' });
    expect(JSON.parse(jws.payload.toString())).toEqual({ sub: 'usr_1', n: 1 });
    await expect(verifyJwsSignature(jws, alg, publicKey)).resolves.toBeUndefined();

    const [h, p, s] = token.split('.') as [string, string, string];
    const otherPayload = b64({ sub: 'usr_2', n: 1 });
    const otherHeader = b64({ alg, kid: 'k2' });
    const flipped = Buffer.from(s, 'base64url');
    flipped[5] = (flipped[5] as number) ^ 1;
    for (const forged of [`${h}.${otherPayload}.${s}`, `${otherHeader}.${p}.${s}`, `${h}.${p}.${b64(flipped)}`]) {
      expect(await refusal(() => verifyJwsSignature(parseCompactJws(forged), alg, publicKey))).toBe('signature');
    }
  });

  it('refuses a signature made by another key of the same kind', async () => {
    const token = await joseSigned(alg, keyPair(alg).privateKey);
    expect(await refusal(() => verifyJwsSignature(parseCompactJws(token), alg, publicKey))).toBe('signature');
  });

  it('refuses an empty or truncated signature', async () => {
    const [h, p, s] = (await joseSigned(alg, privateKey)).split('.') as [string, string, string];
    for (const signature of ['', b64(Buffer.from(s, 'base64url').subarray(0, -3))]) {
      const jws = parseCompactJws(`${h}.${p}.${signature}`);
      expect(await refusal(() => verifyJwsSignature(jws, alg, publicKey))).toBe('signature');
    }
  });
});

describe('parseCompactJws', () => {
  const header = b64({ alg: 'ES256', kid: 'k1' });
  const payload = b64({ sub: 'u' });

  it.each([
    ['two segments', `${header}.${payload}`],
    ['four segments', `${header}.${payload}.sig.extra`],
    ['five segments (a JWE)', `${header}.a.b.c.d`],
    ['an empty header', `.${payload}.sig`],
    ['standard base64 characters', `${header}.${payload.slice(0, -1)}+.sig`],
    ['padding', `${header}.${payload}=.sig`],
    ['an impossible base64 length', `${header}.${payload}.abcde`],
    ['a header that is not JSON', `${b64('{alg:ES256}')}.${payload}.sig`],
    ['a header that is a JSON array', `${b64(['ES256'])}.${payload}.sig`],
    ['a header that is a JSON string', `${b64('"ES256"')}.${payload}.sig`],
    ['a header that is JSON null', `${b64('null')}.${payload}.sig`],
    ['a header that is not UTF-8', `${Buffer.from([0x7b, 0xff, 0x7d]).toString('base64url')}.${payload}.sig`],
    ['critical header extensions', `${b64({ alg: 'ES256', kid: 'k1', crit: ['exp'], exp: 1 })}.${payload}.sig`],
    ['an unencoded payload (RFC 7797)', `${b64({ alg: 'ES256', crit: ['b64'], b64: false })}.${payload}.sig`],
    ['nothing at all', ''],
  ])('refuses %s as malformed', async (_what, token) => {
    expect(await refusal(() => parseCompactJws(token))).toBe('malformed');
  });

  it('refuses a second spelling of the same signature (non-zero unused bits in its last character)', async () => {
    const { privateKey } = keyPair('ES256');
    const [h, p, s] = (await joseSigned('ES256', privateKey)).split('.') as [string, string, string];
    // 64 bytes take 86 characters, the last carrying 4 unused bits: flipping the lowest keeps the bytes the same.
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    const last = alphabet.indexOf(s.at(-1) as string);
    const respelled = `${s.slice(0, -1)}${alphabet[last ^ 1]}`;
    expect(Buffer.from(respelled, 'base64url')).toEqual(Buffer.from(s, 'base64url'));
    expect(parseCompactJws(`${h}.${p}.${s}`).signature).toHaveLength(64);
    expect(await refusal(() => parseCompactJws(`${h}.${p}.${respelled}`))).toBe('malformed');
  });

  it('reads the payload as strict UTF-8 JSON', async () => {
    expect(parseJsonPayload(parseCompactJws(`${header}.${b64({ sub: 'é' })}.`))).toEqual({ sub: 'é' });
    for (const payloadBytes of [Buffer.from([0x22, 0xff, 0x22]), Buffer.from('{sub:1}')]) {
      const jws = parseCompactJws(`${header}.${b64(payloadBytes)}.`);
      expect(await refusal(() => parseJsonPayload(jws))).toBe('malformed');
    }
  });

  it('signs over the header and payload segments exactly as sent', () => {
    const jws = parseCompactJws(`${header}.${payload}.${b64('sig')}`);
    expect(jws.signingInput).toBe(`${header}.${payload}`);
    expect(jws.signature.toString()).toBe('sig');
  });
});

describe('ES256 signature encoding', () => {
  it('refuses a DER-encoded ECDSA signature of a valid token (JWS uses the 64-byte r||s form)', async () => {
    const { publicKey, privateKey } = keyPair('ES256');
    const signingInput = `${b64({ alg: 'ES256', kid: 'k1' })}.${b64({ sub: 'u' })}`;
    const der = sign('sha256', Buffer.from(signingInput), privateKey);
    const jws = parseCompactJws(`${signingInput}.${b64(der)}`);
    expect(await refusal(() => verifyJwsSignature(jws, 'ES256', publicKey))).toBe('signature');
    const p1363 = sign('sha256', Buffer.from(signingInput), { key: privateKey, dsaEncoding: 'ieee-p1363' });
    await expect(
      verifyJwsSignature(parseCompactJws(`${signingInput}.${b64(p1363)}`), 'ES256', publicKey),
    ).resolves.toBeUndefined();
  });
});

describe('keyFitsAlgorithm', () => {
  it('accepts only the public key kind each algorithm was made for', () => {
    const p256 = keyPair('ES256').publicKey;
    const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).publicKey;
    const rsa = keyPair('RS256');
    const ed25519 = keyPair('EdDSA').publicKey;
    expect(keyFitsAlgorithm(p256, 'ES256')).toBe(true);
    expect(keyFitsAlgorithm(p384, 'ES256')).toBe(false);
    expect(keyFitsAlgorithm(rsa.publicKey, 'ES256')).toBe(false);
    expect(keyFitsAlgorithm(rsa.publicKey, 'RS256')).toBe(true);
    expect(keyFitsAlgorithm(rsa.privateKey, 'RS256')).toBe(false);
    expect(keyFitsAlgorithm(p256, 'RS256')).toBe(false);
    expect(keyFitsAlgorithm(ed25519, 'EdDSA')).toBe(true);
    expect(keyFitsAlgorithm(p256, 'EdDSA')).toBe(false);
    // Near misses: another EdDSA curve, a key-agreement key, RSA-PSS, and RSA below 2048 bits (as jose refuses).
    expect(keyFitsAlgorithm(generateKeyPairSync('ed448').publicKey, 'EdDSA')).toBe(false);
    expect(keyFitsAlgorithm(generateKeyPairSync('x25519').publicKey, 'EdDSA')).toBe(false);
    expect(keyFitsAlgorithm(generateKeyPairSync('rsa-pss', { modulusLength: 2048 }).publicKey, 'RS256')).toBe(false);
    expect(keyFitsAlgorithm(generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey, 'RS256')).toBe(false);
    // An algorithm the runtime does not sign with fits no key, whatever its kind.
    for (const alg of ['ES384', 'PS256', 'HS256', 'none', '']) {
      for (const key of [p256, rsa.publicKey, ed25519]) expect(keyFitsAlgorithm(key, alg)).toBe(false);
    }
  });
});
