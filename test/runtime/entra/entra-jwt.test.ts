import { SignJWT } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';
import { postForm } from '../oauth/helpers.js';
import { FakeEntra } from './fake-entra.js';

const AUDIENCE = 'api://gatehouse-test';
const unauthorized = (message: string) => ({ error: { code: 'unauthorized', message } });

describe.each(STORE_DIALECTS)('Entra ID / OIDC JWTs as Bearer on %s', (dialect) => {
  const entra = new FakeEntra();
  let app: TestApp;
  let admin: string;
  const now = () => Math.floor(app.clock.now() / 1000);
  const me = (token: string) => call(app, '/auth/me', { bearer: token });

  beforeAll(async () => {
    await entra.start();
    await entra.addKey('key-1');
    app = await startTestApp({
      dialect,
      env: { OIDC_ISSUER: entra.issuer, OIDC_CLIENT_ID: 'gatehouse-web', OIDC_AUDIENCE: AUDIENCE },
    });
    admin = await bootstrapAdminKey(app);
  });
  afterAll(async () => {
    await app?.close();
    await entra.stop();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('accepts a user token: roles claim -> catalog role, subject = oid, email and name from the token', async () => {
    const token = await entra.token(
      'key-1',
      {
        aud: AUDIENCE,
        sub: 'pairwise-sub',
        oid: 'user-object-id',
        roles: ['analyst'],
        preferred_username: 'ana@contoso.com',
        name: 'Ana',
      },
      now(),
    );
    const res = await me(token);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      role: 'analyst',
      auth_kind: 'entra_jwt',
      org_id: 'default',
      team_id: null,
      subject: 'user-object-id',
      email: 'ana@contoso.com',
      name: 'Ana',
      can_write: true,
      permissions: ['investigations:read', 'investigations:write', 'incidents:read', 'search:read', 'graph:read'],
      scopes: ['investigations:read', 'investigations:write', 'incidents:read', 'search:read', 'graph:read'],
    });
  });

  it('maps application roles (daemon apps) to scopes, ignores unknown values and never takes management permissions', async () => {
    const daemon = await entra.token(
      'key-1',
      {
        aud: AUDIENCE,
        oid: 'sp-object-id',
        azp: 'daemon-app-id',
        roles: ['graph:read', 'search:read', 'users:manage', 'superuser'],
      },
      now(),
    );
    const res = await me(daemon);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      role: null,
      subject: 'sp-object-id',
      permissions: ['search:read', 'graph:read'],
    });
    const denied = await call(app, '/auth/verify?scope=incidents:read', { bearer: daemon });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "incidents:read"' },
    });
    const several = await entra.token('key-1', { aud: AUDIENCE, oid: 'u2', roles: ['viewer', 'admin'] }, now());
    expect(await (await me(several)).json()).toMatchObject({
      role: 'admin',
      permissions: app.config.catalog.permissionValues,
    });
  });

  it('refuses a genuine token that names no catalog role or scope with 403 on every route', async () => {
    for (const roles of [undefined, [], ['superuser'], ['users:manage']]) {
      const token = await entra.token('key-1', { aud: AUDIENCE, oid: 'nobody', ...(roles ? { roles } : {}) }, now());
      for (const path of ['/auth/me', '/auth/verify', '/api/v1/orgs/default']) {
        const res = await call(app, path, { bearer: token });
        expect(res.status).toBe(403);
        expect(await res.json()).toEqual({
          error: { code: 'forbidden', message: 'The token carries no role or scope of this API' },
        });
      }
    }
  });

  it('refuses the wrong audience, the wrong issuer, an expired token, a bad signature and HS256', async () => {
    const wrongAud = await entra.token('key-1', { aud: 'api://someone-else', oid: 'u', roles: ['analyst'] }, now());
    expect((await me(wrongAud)).status).toBe(401);
    expect(await (await me(wrongAud)).json()).toEqual(unauthorized('The token has the wrong audience'));

    // Same keys, issuer differing only by a trailing slash: exact match required.
    const good = await entra.token('key-1', { aud: AUDIENCE, oid: 'u', roles: ['analyst'] }, now());
    const [header, , signature] = good.split('.');
    const payload = JSON.parse(Buffer.from(good.split('.')[1] as string, 'base64url').toString());
    const otherIssuer = `${header}.${Buffer.from(JSON.stringify({ ...payload, iss: `${entra.issuer}/` })).toString('base64url')}.${signature}`;
    const res = await me(otherIssuer);
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(unauthorized('Invalid credential'));

    const tampered = `${header}.${Buffer.from(JSON.stringify({ ...payload, roles: ['admin'] })).toString('base64url')}.${signature}`;
    expect(await (await me(tampered)).json()).toEqual(unauthorized('The token signature is invalid'));

    const expired = await entra.token('key-1', { aud: AUDIENCE, oid: 'u', roles: ['analyst'] }, now() - 7200);
    const expiredRes = await me(expired);
    expect(expiredRes.status).toBe(401);
    expect(await expiredRes.json()).toEqual({ error: { code: 'token_expired', message: 'The token has expired' } });

    const hs256 = await new SignJWT({ aud: AUDIENCE, oid: 'u', roles: ['admin'] })
      .setProtectedHeader({ alg: 'HS256', kid: 'key-1' })
      .setIssuer(entra.issuer)
      .setIssuedAt(now())
      .setExpirationTime(now() + 600)
      .sign(new TextEncoder().encode('a-shared-secret-an-attacker-picked!!'));
    expect(await (await me(hs256)).json()).toEqual(unauthorized('The token is not signed with an accepted algorithm'));

    await expect
      .poll(async () => {
        const rows = await app.store.db
          .selectFrom('audit_events')
          .select('reason')
          .where('kind', '=', 'entra_jwt.use_failed')
          .where('outcome', '=', 'failure')
          .execute();
        return [...new Set(rows.map((r) => r.reason))];
      })
      .toEqual(expect.arrayContaining(['algorithm', 'audience', 'expired', 'signature', 'no_catalog_role']));
    const refused = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'entra_jwt.use_failed')
      .where('reason', '=', 'no_catalog_role')
      .execute();
    // Verified but granting nothing: the token is named. Unverified ones never are.
    expect(refused[0]).toMatchObject({ actor_kind: 'entra_jwt', actor_subject: 'nobody', org_id: 'default' });
    const unverified = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'entra_jwt.use_failed')
      .where('reason', 'in', ['signature', 'audience', 'algorithm', 'expired'])
      .execute();
    expect([...new Set(unverified.map((row) => row.reason))].sort()).toEqual([
      'algorithm',
      'audience',
      'expired',
      'signature',
    ]);
    for (const row of unverified) expect(row.actor_subject).toBeNull();
  });

  it('refuses an ID token (nonce, token_use or typ marker) even when its audience is the accepted one', async () => {
    // With OIDC_AUDIENCE left at its default (the client id) the sign-in ID token's aud IS the accepted audience.
    const idTokenClaims = [{ nonce: 'n-0S6_WzA2Mj' }, { token_use: 'id' }, { typ: 'ID' }];
    for (const marker of idTokenClaims) {
      const idToken = await entra.token('key-1', { aud: AUDIENCE, oid: 'u', roles: ['admin'], ...marker }, now());
      for (const path of ['/auth/me', '/auth/verify']) {
        const res = await call(app, path, { bearer: idToken });
        expect(res.status, JSON.stringify(marker)).toBe(401);
        if (path === '/auth/me') {
          expect(await res.json()).toEqual(unauthorized('An ID token is not accepted as an access token'));
        }
      }
    }
    // The same claims without the marker are an access token and accepted.
    const accessToken = await entra.token('key-1', { aud: AUDIENCE, oid: 'u', roles: ['admin'], typ: 'Bearer' }, now());
    expect((await me(accessToken)).status).toBe(200);
  });

  it('refreshes the key set for an unknown kid (rollover), at most once per cooldown', async () => {
    await entra.addKey('key-2', false);
    const rolled = await entra.token('key-2', { aud: AUDIENCE, oid: 'u', roles: ['viewer'] }, now());
    const before = entra.jwksDownloads;
    // Not published yet: unknown kid, refused.
    const unknown = await me(rolled);
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual(
      unauthorized('The token was signed by a key the identity provider does not publish'),
    );

    // The IdP rolls over to key-2. Within the 30 s cooldown the set is not downloaded again...
    entra.publish('key-2');
    // A token other than `rolled` (another token id).
    const rolledAgain = await entra.token('key-2', { aud: AUDIENCE, oid: 'u', roles: ['viewer'], uti: 'x' }, now());
    vi.useFakeTimers({ toFake: ['Date'], now: Date.now() });
    expect((await me(rolledAgain)).status).toBe(401);
    // ...after it, the unknown kid triggers a download and the new key is accepted.
    vi.setSystemTime(Date.now() + 31_000);
    const accepted = await me(rolledAgain);
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({ auth_kind: 'entra_jwt', role: 'viewer' });
    expect(entra.jwksDownloads).toBeGreaterThan(before);
    // The old key is still published and still accepted.
    const old = await entra.token('key-1', { aud: AUDIENCE, oid: 'u', roles: ['viewer'] }, now());
    expect((await me(old)).status).toBe(200);
  });

  it('introspects an Entra token for an admin and refuses to revoke it (unsupported_token_type)', async () => {
    const token = await entra.token(
      'key-1',
      { aud: AUDIENCE, oid: 'daemon', azp: 'daemon-app', roles: ['search:read'] },
      now(),
    );
    // Introspection takes Bearer callers; the bootstrap key is an X-API-Key, so use an org admin token.
    const adminToken = (await (
      await call(app, '/api/v1/orgs/default/admin-tokens', { apiKey: admin, body: {} })
    ).json()) as { token: string };
    const facts = await postForm(app, '/oauth2/introspect', { token }, { authorization: `Bearer ${adminToken.token}` });
    expect(await facts.json()).toMatchObject({
      active: true,
      auth_kind: 'entra_jwt',
      scope: 'search:read',
      client_id: 'daemon-app',
      sub: 'daemon',
      iss: entra.issuer,
      aud: AUDIENCE,
      org_id: 'default',
    });
    const revoked = await postForm(app, '/oauth2/revoke', { token }, { authorization: `Bearer ${adminToken.token}` });
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toEqual({
      error: 'unsupported_token_type',
      error_description: 'Tokens of kind entra_jwt cannot be revoked by this server',
    });
  });
});

describe('Entra ID discovery that names another issuer', () => {
  const entra = new FakeEntra();
  let app: TestApp;

  beforeAll(async () => {
    await entra.start();
    await entra.addKey('key-1');
    entra.discoveryIssuerOverride = 'https://login.microsoftonline.com/someone-else/v2.0';
    app = await startTestApp({
      dialect: 'sqlite',
      env: { OIDC_ISSUER: entra.issuer, OIDC_CLIENT_ID: 'gatehouse-web', OIDC_AUDIENCE: AUDIENCE },
    });
  });
  afterAll(async () => {
    await app?.close();
    await entra.stop();
  });

  it('verifies nothing against it (401) and never downloads its keys', async () => {
    const token = await entra.token(
      'key-1',
      { aud: AUDIENCE, oid: 'u', roles: ['admin'] },
      Math.floor(app.clock.now() / 1000),
    );
    const res = await call(app, '/auth/me', { bearer: token });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(unauthorized('The identity provider could not be reached to verify the token'));
    expect(entra.jwksDownloads).toBe(0);
  });
});
