import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call, createKey } from '../auth/helpers.js';
import {
  basic,
  type CreatedClient,
  clientToken,
  createClient,
  discover,
  postForm,
  startDiscoverableApp,
} from './helpers.js';

interface Issued {
  token_id: string;
  token: string;
}

describe.each(STORE_DIALECTS)('POST /oauth2/introspect and /oauth2/revoke on %s', (dialect) => {
  let app: TestApp;
  let admin: string;
  let resourceServer: CreatedClient;
  let caller: CreatedClient;
  let other: CreatedClient;
  /** Admin token of the default org (tokens:manage), used as a Bearer caller. */
  let orgAdmin: Issued;
  let acmeAdmin: Issued;
  let teamToken: Issued;

  const introspect = (token: string, auth: { client?: CreatedClient; bearer?: string }, extra = {}) =>
    postForm(
      app,
      '/oauth2/introspect',
      { token, ...extra },
      {
        authorization: auth.bearer
          ? `Bearer ${auth.bearer}`
          : basic((auth.client as CreatedClient).client_id, (auth.client as CreatedClient).client_secret),
      },
    );
  const revoke = (token: string, auth: { client?: CreatedClient; bearer?: string }, extra = {}) =>
    postForm(
      app,
      '/oauth2/revoke',
      { token, ...extra },
      {
        authorization: auth.bearer
          ? `Bearer ${auth.bearer}`
          : basic((auth.client as CreatedClient).client_id, (auth.client as CreatedClient).client_secret),
      },
    );
  const active = async (token: string) =>
    ((await (await introspect(token, { client: resourceServer })).json()) as { active: boolean }).active;

  beforeAll(async () => {
    app = await startDiscoverableApp(dialect);
    admin = await bootstrapAdminKey(app);
    resourceServer = await createClient(app, admin, ['search:read', 'tokens:manage'], 'resource server');
    caller = await createClient(app, admin, ['search:read', 'graph:read'], 'caller');
    other = await createClient(app, admin, ['search:read'], 'other');
    orgAdmin = (await (
      await call(app, '/api/v1/orgs/default/admin-tokens', { apiKey: admin, body: {} })
    ).json()) as Issued;
    const acme = await call(app, '/api/v1/orgs', { apiKey: admin, body: { id: 'acme', name: 'Acme' } });
    acmeAdmin = ((await acme.json()) as { admin_token: Issued }).admin_token;
    await call(app, '/api/v1/orgs/default/teams', { apiKey: admin, body: { slug: 'blue', name: 'Blue' } });
    teamToken = (await (
      await call(app, '/api/v1/orgs/default/teams/blue/tokens', { apiKey: admin, body: { scopes: ['search:read'] } })
    ).json()) as Issued;
  });
  afterAll(() => app?.close());

  it('introspects a client_credentials token with openid-client (RFC 7662 members)', async () => {
    const { access_token } = await clientToken(app, caller, 'graph:read');
    const config = await discover(app, resourceServer);
    const result = await oidc.tokenIntrospection(config, access_token);
    expect(result).toMatchObject({
      active: true,
      scope: 'graph:read',
      client_id: caller.client_id,
      sub: caller.client_id,
      token_type: 'Bearer',
      iss: app.baseUrl,
      aud: app.baseUrl,
      auth_kind: 'client_credentials',
      org_id: 'default',
      team_id: null,
    });
    expect(result.exp).toBe((result.iat as number) + 1800);
    // The token's own id, so a resource server can match it against revocations.
    expect(result.jti).toEqual(expect.any(String));
    expect(result.jti).toBe(decodeJwt(access_token).jti);
  });

  it('answers {"active": false} for unknown, malformed, expired and foreign-org tokens', async () => {
    const responses = [
      await introspect('not-a-token', { client: resourceServer }),
      await introspect(`tok_${'0'.repeat(20)}.${'A'.repeat(43)}`, { client: resourceServer }),
      await introspect('sk_test_0000000000000000000000000000000000000000000000', { client: resourceServer }),
      await introspect('eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJ4In0.c2ln', { client: resourceServer }),
    ];
    for (const res of responses) {
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(await res.json()).toEqual({ active: false });
    }
    const { access_token, expires_in } = await clientToken(app, caller);
    app.clock.advance(expires_in + 11);
    try {
      expect(await (await introspect(access_token, { client: resourceServer })).json()).toEqual({ active: false });
    } finally {
      app.clock.advance(-(expires_in + 11));
    }
    // acme's admin sees nothing of the default org, even a live token.
    const foreign = await introspect(access_token, { bearer: acmeAdmin.token });
    expect(await foreign.json()).toEqual({ active: false });
    expect(await (await introspect(teamToken.token, { bearer: acmeAdmin.token })).json()).toEqual({ active: false });
  });

  it('introspects team tokens, admin tokens and API keys', async () => {
    const team = (await (await introspect(teamToken.token, { bearer: orgAdmin.token })).json()) as Record<
      string,
      unknown
    >;
    expect(team).toMatchObject({
      active: true,
      auth_kind: 'team_token',
      scope: 'search:read team:read team:write',
      sub: `team_token:${teamToken.token_id}`,
      jti: teamToken.token_id,
      org_id: 'default',
      token_type: 'Bearer',
    });
    expect(team.exp).toBe(Math.floor(app.clock.now() / 1000) + 90 * 86_400);
    const adminFacts = (await (await introspect(orgAdmin.token, { client: resourceServer })).json()) as Record<
      string,
      unknown
    >;
    expect(adminFacts).toMatchObject({ active: true, auth_kind: 'admin_token', team_id: null });
    const key = await createKey(app, admin, { name: 'introspected', scopes: ['incidents:read'] });
    const keyFacts = (await (
      await introspect(key.api_key, { client: resourceServer }, { token_type_hint: 'api_key' })
    ).json()) as Record<string, unknown>;
    expect(keyFacts).toEqual({
      active: true,
      scope: 'incidents:read',
      token_type: 'api_key',
      sub: `api_key:${key.key_id}`,
      iss: app.baseUrl,
      jti: key.key_id,
      auth_kind: 'api_key',
      org_id: 'default',
      team_id: null,
      role: null,
    });
    expect(JSON.stringify(keyFacts)).not.toContain(key.api_key);
  });

  it('shows a client without tokens:manage only the tokens issued to it', async () => {
    const { access_token: own } = await clientToken(app, other);
    const { access_token: foreign } = await clientToken(app, caller);
    const reader = await createKey(app, admin, { name: 'introspect-me', scopes: ['search:read'] });
    const ownFacts = (await (await introspect(own, { client: other })).json()) as Record<string, unknown>;
    expect(ownFacts).toMatchObject({ active: true, client_id: other.client_id, auth_kind: 'client_credentials' });
    for (const token of [foreign, admin, reader.api_key, orgAdmin.token, teamToken.token]) {
      const res = await introspect(token, { client: other });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ active: false });
    }
    // A client granted tokens:manage sees its org's tokens, the admin key's scopes included.
    expect(await (await introspect(admin, { client: resourceServer })).json()).toMatchObject({ active: true });
  });

  it('counts wrong client secrets on introspection toward the failure limit', async () => {
    const limited = await startDiscoverableApp(dialect, { AUTH_FAILURE_LIMIT: '3' });
    try {
      const adminKey = await bootstrapAdminKey(limited);
      const client = await createClient(limited, adminKey, ['search:read']);
      const ip = '198.18.250.1';
      const statuses: number[] = [];
      for (let i = 0; i < 4; i++) {
        const basicAuth = { authorization: basic(client.client_id, `wrong-${i}`), ip };
        statuses.push((await postForm(limited, '/oauth2/introspect', { token: 'x' }, basicAuth)).status);
      }
      const post = { token: 'x', client_id: client.client_id, client_secret: client.client_secret };
      statuses.push((await postForm(limited, '/oauth2/introspect', post, { ip })).status);
      expect(statuses).toEqual([401, 401, 401, 429, 429]);
    } finally {
      await limited.close();
    }
  });

  it('authenticates its callers: invalid_client for bad client credentials, unauthorized_client without tokens:manage', async () => {
    const anonymous = await postForm(app, '/oauth2/introspect', { token: 'x' });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toBe('Basic realm="gatehouse"');
    const badSecret = await postForm(
      app,
      '/oauth2/introspect',
      { token: 'x' },
      {
        authorization: basic(resourceServer.client_id, 'wrong'),
      },
    );
    expect(badSecret.status).toBe(401);
    expect(await badSecret.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication failed',
    });
    const badBearer = await introspect('x', { bearer: `tok_${'1'.repeat(20)}.${'B'.repeat(43)}` });
    expect(badBearer.status).toBe(401);
    expect(await badBearer.json()).toEqual({
      error: 'invalid_client',
      error_description: 'The credential is not valid',
    });
    expect(badBearer.headers.get('www-authenticate')).toContain('Bearer realm="gatehouse"');
    const weak = await introspect('x', { bearer: teamToken.token });
    expect(weak.status).toBe(403);
    expect(await weak.json()).toEqual({
      error: 'unauthorized_client',
      error_description: 'The credential lacks the permission "tokens:manage"',
    });
    // An admin API key (X-API-Key) works like a Bearer credential; one without tokens:manage does not.
    const viaKey = await fetch(`${app.baseUrl}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-API-Key': admin },
      body: new URLSearchParams({ token: teamToken.token }).toString(),
    });
    expect(await viaKey.json()).toMatchObject({ active: true, auth_kind: 'team_token' });
    const reader = await createKey(app, admin, { name: 'reader', scopes: ['search:read'] });
    const weakKey = await fetch(`${app.baseUrl}/oauth2/introspect`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'X-API-Key': reader.api_key },
      body: new URLSearchParams({ token: teamToken.token }).toString(),
    });
    expect(weakKey.status).toBe(403);
    const missing = await postForm(
      app,
      '/oauth2/introspect',
      {},
      { authorization: basic(resourceServer.client_id, resourceServer.client_secret) },
    );
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: 'invalid_request',
      error_description: 'The token parameter is required',
    });
  });

  it('lets a client revoke its own access token (openid-client), refused at once everywhere', async () => {
    const { access_token } = await clientToken(app, caller);
    expect((await call(app, '/auth/me', { bearer: access_token })).status).toBe(200);
    const config = await discover(app, caller);
    await oidc.tokenRevocation(config, access_token, { token_type_hint: 'access_token' });
    expect(await active(access_token)).toBe(false);
    const me = await call(app, '/auth/me', { bearer: access_token });
    expect(me.status).toBe(401);
    expect(await me.json()).toEqual({ error: { code: 'unauthorized', message: 'The access token has been revoked' } });
    const rows = await app.store.db
      .selectFrom('audit_events')
      .selectAll()
      .where('kind', '=', 'access_token.revoked')
      .execute();
    expect(rows).toEqual([
      expect.objectContaining({
        outcome: 'success',
        actor_kind: 'client',
        actor_subject: caller.client_id,
        reason: 'oauth2_revoke',
      }),
    ]);
  });

  it("does not let a client revoke another client's token: 200 without effect, audited", async () => {
    const { access_token } = await clientToken(app, caller);
    const res = await revoke(access_token, { client: other });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(await active(access_token)).toBe(true);
    await expect
      .poll(async () =>
        app.store.db
          .selectFrom('audit_events')
          .select(['kind', 'reason', 'actor_kind', 'actor_subject'])
          .where('kind', '=', 'token.revoke_refused')
          .execute(),
      )
      .toEqual([
        { kind: 'token.revoke_refused', reason: 'not_owner', actor_kind: 'client', actor_subject: other.client_id },
      ]);
    // Nor another org's admin.
    await revoke(access_token, { bearer: acmeAdmin.token });
    expect(await active(access_token)).toBe(true);
  });

  it('answers 200 for unknown and already revoked tokens (RFC 7009 2.2)', async () => {
    for (const token of ['unknown', `tok_${'2'.repeat(20)}.${'C'.repeat(43)}`]) {
      const res = await revoke(token, { client: caller });
      expect(res.status).toBe(200);
      expect(res.headers.get('cache-control')).toBe('no-store');
    }
  });

  it('lets an org admin revoke team tokens, admin tokens, API keys and access tokens of its org', async () => {
    await call(app, '/api/v1/orgs/default/teams', { apiKey: admin, body: { slug: 'red', name: 'Red' } });
    const team = (await (
      await call(app, '/api/v1/orgs/default/teams/red/tokens', { apiKey: admin, body: {} })
    ).json()) as Issued;
    const spareAdmin = (await (
      await call(app, '/api/v1/orgs/default/admin-tokens', { apiKey: admin, body: {} })
    ).json()) as Issued;
    const key = await createKey(app, admin, { name: 'to revoke', scopes: ['search:read'] });
    const { access_token } = await clientToken(app, other);
    for (const token of [team.token, spareAdmin.token, key.api_key, access_token]) {
      expect(await active(token)).toBe(true);
      const res = await revoke(token, { bearer: orgAdmin.token });
      expect(res.status).toBe(200);
      expect(await active(token)).toBe(false);
    }
    const revokedTeamToken = await call(app, '/auth/me', { bearer: team.token });
    expect(revokedTeamToken.status).toBe(401);
    expect(await revokedTeamToken.json()).toEqual({
      error: { code: 'unauthorized', message: 'Invalid or expired token' },
    });
    const revokedKey = await call(app, '/auth/me', { apiKey: key.api_key });
    expect(revokedKey.status).toBe(401);
    expect(await revokedKey.json()).toEqual({
      error: { code: 'unauthorized', message: 'The API key has been revoked' },
    });
    const kinds = await app.store.db
      .selectFrom('audit_events')
      .select('kind')
      .where('outcome', '=', 'success')
      .where('actor_subject', '=', `admin_token:${orgAdmin.token_id}`)
      .execute();
    expect(kinds.map((k) => k.kind).sort()).toEqual(
      ['access_token.revoked', 'admin_token.revoked', 'api_key.revoked', 'team_token.revoked'].sort(),
    );
  });

  it('does not let a client revoke an API key or a team token (they were not issued to it)', async () => {
    const key = await createKey(app, admin, { name: 'kept', scopes: ['search:read'] });
    await revoke(key.api_key, { client: caller });
    await revoke(teamToken.token, { client: caller });
    expect(await active(key.api_key)).toBe(true);
    expect(await active(teamToken.token)).toBe(true);
  });
});
