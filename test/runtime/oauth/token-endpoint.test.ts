import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { bootstrapAdminKey, call } from '../auth/helpers.js';
import {
  basic,
  type CreatedClient,
  clientToken,
  createClient,
  discover,
  postForm,
  startDiscoverableApp,
} from './helpers.js';

const INVALID_CLIENT = { error: 'invalid_client', error_description: 'Client authentication failed' };

describe.each(STORE_DIALECTS)('POST /oauth2/token (client_credentials) on %s', (dialect) => {
  let app: TestApp;
  let admin: string;
  let client: CreatedClient;

  beforeAll(async () => {
    app = await startDiscoverableApp(dialect);
    admin = await bootstrapAdminKey(app);
    client = await createClient(app, admin, ['investigations:read', 'search:read']);
  });
  afterAll(() => app?.close());

  it('publishes RFC 8414 metadata naming the endpoints, grant and client authentication methods', async () => {
    const res = await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const metadata = (await res.json()) as Record<string, unknown>;
    expect(metadata).toMatchObject({
      issuer: app.baseUrl,
      token_endpoint: `${app.baseUrl}/oauth2/token`,
      introspection_endpoint: `${app.baseUrl}/oauth2/introspect`,
      revocation_endpoint: `${app.baseUrl}/oauth2/revoke`,
      token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    });
    expect(metadata.grant_types_supported).toContain('client_credentials');
    // Every advertised grant type is one the token endpoint accepts.
    for (const grantType of metadata.grant_types_supported as string[]) {
      const res = await postForm(app, '/oauth2/token', { grant_type: grantType });
      expect(((await res.json()) as { error: string }).error).not.toBe('unsupported_grant_type');
    }
  });

  it('issues a token to openid-client with client_secret_basic, for all of the client scopes by default', async () => {
    const config = await discover(app, client, 'client_secret_basic');
    const tokens = await oidc.clientCredentialsGrant(config);
    expect(tokens.token_type).toBe('bearer');
    expect(tokens.expires_in).toBe(1800);
    expect(tokens.scope).toBe('investigations:read search:read');
    const claims = decodeJwt(tokens.access_token);
    expect(claims).toMatchObject({
      iss: app.baseUrl,
      sub: client.client_id,
      client_id: client.client_id,
      auth_kind: 'client_credentials',
      org_id: 'default',
      team_id: null,
      role: null,
      scope: 'investigations:read search:read',
    });
    const me = await call(app, '/auth/me', { bearer: tokens.access_token });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({
      auth_kind: 'client_credentials',
      subject: client.client_id,
      permissions: ['investigations:read', 'search:read'],
    });
  });

  it('issues a token to openid-client with client_secret_post, narrowed to the requested scope', async () => {
    const config = await discover(app, client, 'client_secret_post');
    const tokens = await oidc.clientCredentialsGrant(config, { scope: 'search:read' });
    expect(tokens.scope).toBe('search:read');
    expect(decodeJwt(tokens.access_token).scope).toBe('search:read');
  });

  it('answers with Cache-Control: no-store and Pragma: no-cache', async () => {
    const res = await postForm(
      app,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(Object.keys((await res.json()) as object).sort()).toEqual(
      ['access_token', 'expires_in', 'scope', 'token_type'].sort(),
    );
  });

  it('denies a route needing a scope the token lacks with 403 naming it', async () => {
    const { access_token } = await clientToken(app, client, 'search:read');
    const ok = await call(app, '/auth/verify?scope=search:read', { bearer: access_token });
    expect(ok.status).toBe(200);
    const denied = await call(app, '/auth/verify?scope=graph:read', { bearer: access_token });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "graph:read"' },
    });
    const management = await call(app, '/api/v1/clients', { bearer: access_token });
    expect(management.status).toBe(403);
  });

  it('lets the token expire after expires_in', async () => {
    const { access_token, expires_in } = await clientToken(app, client);
    app.clock.advance(expires_in + 11);
    try {
      const res = await call(app, '/auth/me', { bearer: access_token });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'token_expired', message: 'The access token has expired' },
      });
    } finally {
      app.clock.advance(-(expires_in + 11));
    }
  });

  it('refuses a wrong secret, an unknown client and a malformed Basic header alike: 401 invalid_client', async () => {
    for (const authorization of [
      basic(client.client_id, 'not-the-secret'),
      basic('cli_doesnotexist000000000', client.client_secret),
      'Basic !!!',
      `Basic ${Buffer.from('no-colon').toString('base64')}`,
    ]) {
      const res = await postForm(app, '/oauth2/token', { grant_type: 'client_credentials' }, { authorization });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toBe('Basic realm="gatehouse"');
      expect(res.headers.get('cache-control')).toBe('no-store');
      const body = (await res.json()) as { error: string };
      expect(body.error).toBe('invalid_client');
    }
    const wrong = await postForm(app, '/oauth2/token', {
      grant_type: 'client_credentials',
      client_id: client.client_id,
      client_secret: 'nope',
    });
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual(INVALID_CLIENT);
  });

  it('requires client authentication', async () => {
    const res = await postForm(app, '/oauth2/token', { grant_type: 'client_credentials' });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Basic realm="gatehouse"');
    expect(await res.json()).toEqual({
      error: 'invalid_client',
      error_description: 'Client authentication is required (client_secret_basic or client_secret_post)',
    });
  });

  it('answers invalid_scope for a scope outside the client scopes', async () => {
    const res = await postForm(
      app,
      '/oauth2/token',
      { grant_type: 'client_credentials', scope: 'search:read graph:read' },
      { authorization: basic(client.client_id, client.client_secret) },
    );
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: 'invalid_scope',
      error_description:
        'The client may not request the scope "graph:read"; its scopes are: investigations:read search:read',
    });
    const config = await discover(app, client);
    await expect(oidc.clientCredentialsGrant(config, { scope: 'users:manage' })).rejects.toMatchObject({
      error: 'invalid_scope',
    });
  });

  it('answers unsupported_grant_type and invalid_request per RFC 6749', async () => {
    const auth = { authorization: basic(client.client_id, client.client_secret) };
    const cases: Array<[Record<string, string>, Parameters<typeof postForm>[3], number, object]> = [
      [
        { grant_type: 'password', username: 'a', password: 'b' },
        auth,
        400,
        {
          error: 'unsupported_grant_type',
          error_description: 'The grant type "password" is not supported; supported: client_credentials',
        },
      ],
      [{}, auth, 400, { error: 'invalid_request', error_description: 'The grant_type parameter is required' }],
      [
        { grant_type: 'client_credentials' },
        { ...auth, contentType: 'application/json', rawBody: '{"grant_type":"client_credentials"}' },
        400,
        { error: 'invalid_request', error_description: 'The request body must be application/x-www-form-urlencoded' },
      ],
      [
        {},
        { ...auth, rawBody: 'grant_type=client_credentials&scope=search:read&scope=graph:read' },
        400,
        { error: 'invalid_request', error_description: 'The parameter scope must not be repeated' },
      ],
      [
        {},
        { ...auth, rawBody: 'grant_type=client_credentials&s3cr3t-typed-here=1&s3cr3t-typed-here=2' },
        400,
        // A name that is not a parameter of the protocol is never repeated back: it may be a misplaced secret.
        { error: 'invalid_request', error_description: 'A form parameter must not be repeated' },
      ],
      [
        { grant_type: 'client_credentials', client_secret: client.client_secret },
        auth,
        400,
        {
          error: 'invalid_request',
          error_description: 'Use one client authentication method: HTTP Basic or client_secret in the body',
        },
      ],
    ];
    cases.push([
      {},
      { ...auth, rawBody: `grant_type=client_credentials&scope=${'a'.repeat(9000)}` },
      400,
      { error: 'invalid_request', error_description: 'The request body must be at most 8192 bytes' },
    ]);
    for (const [form, options, status, body] of cases) {
      const res = await postForm(app, '/oauth2/token', form, options);
      expect(res.status).toBe(status);
      expect(res.headers.get('cache-control')).toBe('no-store');
      expect(res.headers.get('pragma')).toBe('no-cache');
      expect(await res.json()).toEqual(body);
    }
  });

  it('blocks an address after repeated failed client authentications (429 with Retry-After)', async () => {
    const ip = '198.51.100.77';
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) {
      last = await postForm(
        app,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        { authorization: basic(client.client_id, `wrong-${i}`), ip },
      );
    }
    expect(last?.status).toBe(429);
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    const good = await postForm(
      app,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(client.client_id, client.client_secret), ip },
    );
    expect(good.status).toBe(429);
  });

  it('audits issuance at most once a minute per client, never per token', async () => {
    const fresh = await createClient(app, admin, ['search:read']);
    const first = await clientToken(app, fresh);
    await clientToken(app, fresh);
    await clientToken(app, fresh);
    const issuedRows = () =>
      app.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('kind', '=', 'client.token_issued')
        .where('credential_id', '=', fresh.client_id)
        .execute();
    await expect.poll(async () => (await issuedRows()).length).toBe(1);
    const [row] = await issuedRows();
    expect(row).toMatchObject({
      outcome: 'success',
      actor_kind: 'client',
      actor_subject: fresh.client_id,
      org_id: 'default',
    });
    expect(JSON.parse(row?.details ?? '{}')).toEqual({ scope: 'search:read', jti: decodeJwt(first.access_token).jti });
    app.clock.advance(61);
    try {
      await clientToken(app, fresh);
      await expect.poll(async () => (await issuedRows()).length).toBeGreaterThanOrEqual(2);
      // Exactly two: the first three requests (all written long before) made one row, the one after a minute another.
      expect((await issuedRows()).length).toBe(2);
    } finally {
      app.clock.advance(-61);
    }
  });

  it('audits failed client authentications without the secret', async () => {
    const secret = 'a-secret-that-must-never-be-stored';
    await postForm(
      app,
      '/oauth2/token',
      { grant_type: 'client_credentials' },
      { authorization: basic(client.client_id, secret) },
    );
    await expect
      .poll(async () =>
        app.store.db
          .selectFrom('audit_events')
          .selectAll()
          .where('kind', '=', 'client.use_failed')
          .where('credential_id', '=', client.client_id)
          .execute(),
      )
      .toEqual(
        expect.arrayContaining([
          expect.objectContaining({ outcome: 'failure', reason: 'bad_secret', org_id: 'default' }),
        ]),
      );
    const rows = await app.store.db.selectFrom('audit_events').selectAll().execute();
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(client.client_secret);
  });
});
