import { createHmac, sign } from 'node:crypto';
import { base64url, CompactSign, createLocalJWKSet, jwtVerify, SignJWT, UnsecuredJWT } from 'jose';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SigningAlg } from '../../../runtime/src/config.js';
import { AppError } from '../../../runtime/src/errors.js';
import { decryptPrivateJwk } from '../../../runtime/src/keys/key-material.js';
import { CLOCK_SKEW_SECONDS, KeyRing, PUBLISH_AHEAD_SECONDS } from '../../../runtime/src/keys/key-ring.js';
import { SecretBytes } from '../../../runtime/src/secret-bytes.js';
import type { Store } from '../../../runtime/src/store/store.js';
import { type IssueAccessTokenInput, TokenService } from '../../../runtime/src/tokens/access-tokens.js';
import { signJwt } from '../../../runtime/src/tokens/jws-signer.js';
import { ManualClock } from '../../support/clock.js';
import { openTestStore, STORE_DIALECTS, type TestStore } from '../../support/databases.js';
import { captureLogs } from '../../support/logs.js';

const kek = new SecretBytes(Buffer.alloc(32, 9));
const ISSUER = 'https://auth.example.com';
const AUDIENCE = 'https://api.example.com';
const TTL = 1800;
const logger = pino({ level: 'silent' });
const decodePart = (part: string) => JSON.parse(new TextDecoder().decode(base64url.decode(part)));

const claims: IssueAccessTokenInput = {
  subject: 'usr_1',
  role: 'analyst',
  scopes: ['investigations:read', 'graph:read'],
  authKind: 'session',
  orgId: 'default',
  teamId: null,
};

function ring(store: Store, clock: ManualClock, alg: SigningAlg = 'ES256', rotationDays = 90): KeyRing {
  return new KeyRing({
    store,
    kek,
    clock,
    logger,
    alg,
    accessTokenTtlSeconds: TTL,
    rotationDays,
    unknownKidReloadMs: 0,
  });
}
const service = (keys: KeyRing, clock: ManualClock, issuer = ISSUER, audience = AUDIENCE) =>
  new TokenService({ keys, clock, issuer, audience, ttlSeconds: TTL });

async function rejection(promise: Promise<unknown>): Promise<{ code: string; reason: string | undefined }> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AppError);
  return { code: (error as AppError).code, reason: (error as AppError).reason };
}

describe.each(STORE_DIALECTS)('signing keys and access tokens on %s', (dialect) => {
  let db: TestStore;
  let clock: ManualClock;
  let keys: KeyRing;
  let tokens: TokenService;
  beforeAll(async () => {
    db = await openTestStore(dialect);
    clock = new ManualClock();
    keys = ring(db.store, clock);
    await keys.start();
    tokens = service(keys, clock);
  });
  afterAll(async () => {
    keys?.stop();
    await db?.cleanup();
  });

  it('issues ES256 tokens with every contract claim and verifies them', async () => {
    const issued = await tokens.issue(claims);
    const [header] = issued.token.split('.');
    expect(decodePart(header!)).toEqual({ alg: 'ES256', kid: keys.activeKey().kid, typ: 'at+jwt' });
    const verified = await tokens.verify(issued.token);
    const iat = Math.floor(clock.now() / 1000);
    expect(verified).toEqual({
      iss: ISSUER,
      aud: AUDIENCE,
      sub: 'usr_1',
      client_id: 'gatehouse',
      iat,
      exp: iat + TTL,
      jti: issued.jti,
      role: 'analyst',
      scope: 'investigations:read graph:read',
      auth_kind: 'session',
      org_id: 'default',
      team_id: null,
    });
    expect(issued.expiresIn).toBe(TTL);
  });

  it('puts RFC 9068 client_id in every token kind: the client it names, else the runtime itself', async () => {
    for (const authKind of ['session', 'api_key', 'client_credentials', 'team_token', 'admin_token'] as const) {
      const own = await tokens.verify((await tokens.issue({ ...claims, authKind })).token);
      expect({ authKind, client_id: own.client_id }).toEqual({ authKind, client_id: 'gatehouse' });
      const named = await tokens.verify((await tokens.issue({ ...claims, authKind, clientId: 'cli_x' })).token);
      expect(named.client_id).toBe('cli_x');
    }
  });

  it('keeps private keys encrypted at rest under the KEK', async () => {
    const row = await db.store.db
      .selectFrom('signing_keys')
      .selectAll()
      .where('state', '=', 'active')
      .executeTakeFirstOrThrow();
    expect(row.private_jwk_encrypted).toMatch(/^v1\./);
    expect(row.private_jwk_encrypted).not.toContain('"d"');
    expect(JSON.parse(row.public_jwk).d).toBeUndefined();
    expect(decryptPrivateJwk([kek], row.kid, row.private_jwk_encrypted).d).toBeTypeOf('string');
    expect(() => decryptPrivateJwk([new SecretBytes(Buffer.alloc(32, 8))], row.kid, row.private_jwk_encrypted)).toThrow(
      'cannot be decrypted with the configured KEY_ENCRYPTION_KEY',
    );
  });

  it('rejects an expired token as token_expired, but accepts one within the clock-skew leeway', async () => {
    const issued = await tokens.issue({ ...claims, ttlSeconds: 60 });
    clock.advance(60 + CLOCK_SKEW_SECONDS - 1);
    await expect(tokens.verify(issued.token)).resolves.toMatchObject({ sub: 'usr_1' });
    clock.advance(2);
    expect(await rejection(tokens.verify(issued.token))).toEqual({ code: 'token_expired', reason: 'expired' });
  });

  it('rejects alg none, algorithm confusion, unknown kid, tampering and garbage as unauthorized', async () => {
    const kid = keys.activeKey().kid;
    const unsecured = new UnsecuredJWT({ sub: 'x', auth_kind: 'session', org_id: 'default' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('1h')
      .encode();
    const withKid = `${base64url.encode(JSON.stringify({ alg: 'none', kid }))}.${unsecured.split('.')[1]}.`;
    expect(await rejection(tokens.verify(unsecured))).toEqual({ code: 'unauthorized', reason: 'algorithm' });
    expect(await rejection(tokens.verify(withKid))).toEqual({ code: 'unauthorized', reason: 'algorithm' });

    // HS256 "signed" with the public JWK as the HMAC secret: the classic confusion attack.
    const publicJwk = keys.jwks().keys.find((k) => k.kid === kid)!;
    const header = base64url.encode(JSON.stringify({ alg: 'HS256', kid }));
    const issued = await tokens.issue(claims);
    const payload = issued.token.split('.')[1];
    const mac = createHmac('sha256', JSON.stringify(publicJwk)).update(`${header}.${payload}`).digest();
    expect(await rejection(tokens.verify(`${header}.${payload}.${base64url.encode(mac)}`))).toEqual({
      code: 'unauthorized',
      reason: 'algorithm',
    });
    // Another algorithm the runtime supports, named on our ES256 key: refused before the signature is looked at.
    for (const alg of ['RS256', 'EdDSA']) {
      const other = base64url.encode(JSON.stringify({ alg, kid, typ: 'at+jwt' }));
      expect(await rejection(tokens.verify(`${other}.${payload}.${issued.token.split('.')[2]}`))).toEqual({
        code: 'unauthorized',
        reason: 'algorithm',
      });
    }

    const otherRing = await (async () => {
      const other = await openTestStore('sqlite');
      const r = ring(other.store, clock);
      await r.start();
      return { r, other };
    })();
    const foreign = await service(otherRing.r, clock).issue(claims);
    otherRing.r.stop();
    await otherRing.other.cleanup();
    expect(await rejection(tokens.verify(foreign.token))).toEqual({ code: 'unauthorized', reason: 'unknown_kid' });

    const [h, p, s] = issued.token.split('.');
    const tamperedPayload = base64url.encode(JSON.stringify({ ...decodePart(p!), role: 'admin' }));
    expect(await rejection(tokens.verify(`${h}.${tamperedPayload}.${s}`))).toEqual({
      code: 'unauthorized',
      reason: 'signature',
    });
    expect(await rejection(tokens.verify('not-a-jwt'))).toEqual({ code: 'unauthorized', reason: 'malformed' });
  });

  it('rejects a token for another issuer or audience', async () => {
    const wrongIssuer = await service(keys, clock, 'https://evil.example.com').issue(claims);
    expect(await rejection(tokens.verify(wrongIssuer.token))).toEqual({ code: 'unauthorized', reason: 'issuer' });
    const wrongAudience = await service(keys, clock, ISSUER, 'https://other-api.example.com').issue(claims);
    expect(await rejection(tokens.verify(wrongAudience.token))).toEqual({ code: 'unauthorized', reason: 'audience' });
  });

  it('rejects a token signed with our key id but a different key of the same algorithm', async () => {
    const { generateKeyPair } = await import('jose');
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({ auth_kind: 'session', org_id: 'default' })
      .setProtectedHeader({ alg: 'ES256', kid: keys.activeKey().kid })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('attacker')
      .setJti('j')
      .setIssuedAt(Math.floor(clock.now() / 1000))
      .setExpirationTime(Math.floor(clock.now() / 1000) + 60)
      .sign(privateKey);
    expect(await rejection(tokens.verify(forged))).toEqual({ code: 'unauthorized', reason: 'signature' });
  });

  /** A token signed with the ring's real active key: only the header and claims decide its fate. */
  async function signedByRing(header: Record<string, unknown>, overrides: Record<string, unknown> = {}) {
    const key = keys.activeKey();
    const iat = Math.floor(clock.now() / 1000);
    const payload = { iss: ISSUER, aud: AUDIENCE, sub: 'usr_1', iat, exp: iat + 60, jti: 'j1' };
    const claimsSet: Record<string, unknown> = { ...payload, auth_kind: 'session', org_id: 'default', ...overrides };
    for (const [name, value] of Object.entries(overrides)) if (value === undefined) delete claimsSet[name];
    return signJwt(key.alg, key.privateKey, { kid: key.kid, ...header }, claimsSet);
  }

  it('requires the at+jwt type (RFC 9068), in either spelling, once the signature verified', async () => {
    await expect(tokens.verify(await signedByRing({ typ: 'at+jwt' }))).resolves.toMatchObject({ sub: 'usr_1' });
    await expect(tokens.verify(await signedByRing({ typ: 'application/AT+JWT' }))).resolves.toMatchObject({
      jti: 'j1',
    });
    for (const header of [{}, { typ: 'JWT' }, { typ: 'at+jwt+x' }, { typ: ['at+jwt'] }]) {
      expect(await rejection(tokens.verify(await signedByRing(header)))).toEqual({
        code: 'unauthorized',
        reason: 'claims',
      });
    }
  });

  it('refuses signed tokens whose claims are missing, mistyped, premature, or for someone else', async () => {
    const typ = { typ: 'at+jwt' };
    const now = Math.floor(clock.now() / 1000);
    const cases: [Record<string, unknown>, string][] = [
      [{ jti: undefined }, 'claims'],
      [{ sub: undefined }, 'claims'],
      [{ auth_kind: undefined }, 'claims'],
      [{ exp: String(now + 60) }, 'claims'],
      [{ iat: null }, 'claims'],
      [{ sub: 42 }, 'claims'],
      [{ nbf: now + CLOCK_SKEW_SECONDS + 5 }, 'claims'],
      [{ nbf: 'soon' }, 'claims'],
      [{ iss: [ISSUER] }, 'claims'],
      [{ aud: [AUDIENCE.toUpperCase()] }, 'audience'],
      [{ aud: undefined }, 'claims'],
      [{ exp: now - CLOCK_SKEW_SECONDS }, 'expired'],
    ];
    for (const [overrides, reason] of cases) {
      const refused = await rejection(tokens.verify(await signedByRing(typ, overrides)));
      expect({ overrides, reason: refused.reason }).toEqual({ overrides, reason });
    }
    // Accepted: an audience list that includes ours, and nbf and exp at the edges of the leeway.
    await expect(
      tokens.verify(await signedByRing(typ, { aud: ['https://other.example.com', AUDIENCE], nbf: now + 5 })),
    ).resolves.toMatchObject({ sub: 'usr_1' });
    await expect(tokens.verify(await signedByRing(typ, { nbf: now + CLOCK_SKEW_SECONDS }))).resolves.toBeDefined();
    await expect(tokens.verify(await signedByRing(typ, { exp: now - CLOCK_SKEW_SECONDS + 1 }))).resolves.toBeDefined();
  });

  it('refuses a signed token with critical header extensions or a payload that is not a JSON object', async () => {
    const key = keys.activeKey();
    const crit = await signedByRing({ typ: 'at+jwt', crit: ['exp'], exp: 1 });
    expect(await rejection(tokens.verify(crit))).toEqual({ code: 'unauthorized', reason: 'malformed' });
    for (const payload of ['[1,2]', '"usr_1"', 'not json']) {
      const token = await new CompactSign(Buffer.from(payload))
        .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
        .sign(key.privateKey);
      expect(await rejection(tokens.verify(token))).toEqual({ code: 'unauthorized', reason: 'malformed' });
    }
  });

  it('agrees with jose: jose verifies issued tokens against the JWKS, and tokens jose signs with the key verify', async () => {
    const issued = await tokens.issue(claims);
    const { payload, protectedHeader } = await jwtVerify(issued.token, createLocalJWKSet(keys.jwks()), {
      issuer: ISSUER,
      audience: AUDIENCE,
      typ: 'at+jwt',
      currentDate: new Date(clock.now()),
    });
    expect(protectedHeader).toEqual({ alg: keys.activeKey().alg, typ: 'at+jwt', kid: keys.activeKey().kid });
    expect(payload.jti).toBe(issued.jti);

    const key = keys.activeKey();
    const iat = Math.floor(clock.now() / 1000);
    const byJose = await new SignJWT({ auth_kind: 'client_credentials', org_id: 'default', scope: 'incidents:read' })
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt' })
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setSubject('cli_1')
      .setJti('jose-1')
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(key.privateKey);
    await expect(tokens.verify(byJose)).resolves.toMatchObject({ sub: 'cli_1', jti: 'jose-1' });
  });

  it('rotates: the next key is published first, signs later, and the old one verifies until its tokens expired', async () => {
    const oldKid = keys.activeKey().kid;
    const newKid = await keys.rotate();
    expect(newKid).not.toBe(oldKid);
    // Published at once, signing nothing yet.
    expect(
      keys
        .jwks()
        .keys.map((k) => k.kid)
        .sort(),
    ).toEqual([oldKid, newKid].sort());
    expect(keys.activeKey().kid).toBe(oldKid);
    // Rotating again while a key is pending is that same rotation.
    expect(await keys.rotate()).toBe(newKid);
    clock.advance(PUBLISH_AHEAD_SECONDS - 1);
    const oldToken = await tokens.issue(claims);
    expect(decodePart(oldToken.token.split('.')[0]!).kid).toBe(oldKid);

    // At the activation time the new key signs, without a reload, on this ring and on one that loaded before.
    const replica = ring(db.store, clock);
    await replica.start();
    clock.advance(1);
    expect(replica.activeKey().kid).toBe(newKid);
    replica.stop();
    const newToken = await tokens.issue(claims);
    // The service keeps the encoded header of the active key: rotation must replace it.
    expect(decodePart(newToken.token.split('.')[0]!)).toEqual({
      alg: keys.activeKey().alg,
      typ: 'at+jwt',
      kid: newKid,
    });
    await keys.maintain();
    expect((await keys.list()).map((k) => [k.kid, k.state])).toEqual(
      expect.arrayContaining([
        [newKid, 'active'],
        [oldKid, 'retiring'],
      ]),
    );

    // The old key signed until the activation: it verifies until that token expired (plus the skew), then retires.
    clock.advance(TTL - 1);
    await keys.maintain();
    await expect(tokens.verify(oldToken.token)).resolves.toMatchObject({ jti: oldToken.jti });
    clock.advance(1 + CLOCK_SKEW_SECONDS);
    await keys.maintain();
    expect((await keys.list()).find((k) => k.kid === oldKid)?.state).toBe('retired');
    expect(keys.jwks().keys.map((k) => k.kid)).toEqual([newKid]);
    // The retired key no longer verifies anything: its kid is unknown now.
    expect(await rejection(tokens.verify(oldToken.token))).toEqual({ code: 'unauthorized', reason: 'unknown_kid' });
    // A token signed with the retired key that has not expired yet is refused because the key is gone.
    const longLived = await service(keys, clock).issue({ ...claims, ttlSeconds: 3600 });
    await keys.rotate({ immediate: true });
    clock.advance(TTL + CLOCK_SKEW_SECONDS + 60);
    await keys.maintain();
    expect(await rejection(tokens.verify(longLived.token))).toEqual({ code: 'unauthorized', reason: 'unknown_kid' });
  });

  it('rotates automatically after the configured period, once even when two replicas race', async () => {
    const a = ring(db.store, clock, 'ES256', 1);
    const b = ring(db.store, clock, 'ES256', 1);
    await Promise.all([a.start(), b.start()]);
    const before = a.activeKey().kid;
    clock.advance(86_400);
    await Promise.all([a.maintain(), b.maintain()]);
    const pending = await db.store.db.selectFrom('signing_keys').select('kid').where('state', '=', 'pending').execute();
    expect(pending).toHaveLength(1);
    clock.advance(PUBLISH_AHEAD_SECONDS);
    await Promise.all([a.maintain(), b.maintain()]);
    await Promise.all([a.reload(), b.reload()]);
    expect(a.activeKey().kid).not.toBe(before);
    expect(b.activeKey().kid).toBe(a.activeKey().kid);
    const active = await db.store.db.selectFrom('signing_keys').select('kid').where('state', '=', 'active').execute();
    expect(active).toHaveLength(1);
    a.stop();
    b.stop();
  });
});

describe.each(['EdDSA', 'RS256'] as const)('configurable algorithm %s', (alg) => {
  it('signs and verifies, and rotates an existing key of another algorithm at start', async () => {
    const db = await openTestStore('sqlite');
    const clock = new ManualClock();
    try {
      const first = ring(db.store, clock, 'ES256');
      await first.start();
      first.stop();
      const keys = ring(db.store, clock, alg);
      await keys.start();
      // The key of the new algorithm is published first and signs once every cached JWKS holds it.
      expect(keys.activeKey().alg).toBe('ES256');
      clock.advance(PUBLISH_AHEAD_SECONDS);
      expect(keys.activeKey().alg).toBe(alg);
      const tokens = service(keys, clock);
      const issued = await tokens.issue(claims);
      await expect(tokens.verify(issued.token)).resolves.toMatchObject({ sub: 'usr_1' });
      // Consumers verify with the published JWKS; jose stands in for them.
      const verified = await jwtVerify(issued.token, createLocalJWKSet(keys.jwks()), {
        algorithms: [alg],
        currentDate: new Date(clock.now()),
      });
      expect(verified.payload.jti).toBe(issued.jti);
      // And the other way: a token jose signs with the ring's key verifies here.
      const iat = Math.floor(clock.now() / 1000);
      const byJose = await new SignJWT({ auth_kind: 'session', org_id: 'default' })
        .setProtectedHeader({ alg, kid: keys.activeKey().kid, typ: 'at+jwt' })
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setSubject('usr_2')
        .setJti('jose-2')
        .setIssuedAt(iat)
        .setExpirationTime(iat + 60)
        .sign(keys.activeKey().privateKey);
      await expect(tokens.verify(byJose)).resolves.toMatchObject({ sub: 'usr_2', jti: 'jose-2' });
      expect(
        keys
          .jwks()
          .keys.map((k) => k.alg)
          .sort(),
      ).toEqual([alg, 'ES256'].sort());
      keys.stop();
    } finally {
      await db.cleanup();
    }
  });
});

describe('a signing key row whose algorithm does not fit its key', () => {
  it('is ignored, and logged, even by a ring that already holds the key under its right algorithm', async () => {
    const db = await openTestStore('sqlite');
    const clock = new ManualClock();
    const logs = captureLogs('error');
    const keys = new KeyRing({
      store: db.store,
      kek,
      clock,
      logger: logs.logger,
      alg: 'ES256',
      accessTokenTtlSeconds: TTL,
      rotationDays: 0,
      unknownKidReloadMs: 0,
    });
    try {
      await keys.start();
      const tokens = service(keys, clock);
      const { kid, privateKey } = keys.activeKey();
      const issued = await tokens.issue(claims);
      await expect(tokens.verify(issued.token)).resolves.toMatchObject({ sub: 'usr_1' });

      // The row now claims RS256: a DER ECDSA signature would pass crypto.verify under RS256 with the cached EC key.
      await db.store.db.updateTable('signing_keys').set({ alg: 'RS256' }).where('kid', '=', kid).execute();
      await keys.reload();
      const header = base64url.encode(JSON.stringify({ alg: 'RS256', kid, typ: 'at+jwt' }));
      const payload = issued.token.split('.')[1];
      const der = sign('sha256', Buffer.from(`${header}.${payload}`), privateKey);
      expect(await rejection(tokens.verify(`${header}.${payload}.${base64url.encode(der)}`))).toEqual({
        code: 'unauthorized',
        reason: 'unknown_kid',
      });
      expect(await rejection(tokens.verify(issued.token))).toEqual({ code: 'unauthorized', reason: 'unknown_kid' });
      expect(keys.ready).toBe(false);
      expect(keys.jwks().keys).toEqual([]);
      expect(logs.lines).toContainEqual(
        expect.objectContaining({ kid, alg: 'RS256', msg: 'signing key does not fit its algorithm; ignored' }),
      );
    } finally {
      keys.stop();
      await db.cleanup();
    }
  });
});
