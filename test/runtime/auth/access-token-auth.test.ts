import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { revokeAccessToken } from '../../../runtime/src/auth/access-token-denylist.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { STORE_DIALECTS } from '../../support/databases.js';

describe.each(STORE_DIALECTS)('authenticating our access tokens on %s', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect });
  });
  afterAll(() => app?.close());

  const issue = (overrides: { scopes?: string[]; role?: string | null; teamId?: string | null } = {}) =>
    app.ctx.tokens.issue({
      subject: 'svc-reporting',
      role: overrides.role === undefined ? 'api_service' : overrides.role,
      scopes: overrides.scopes ?? ['investigations:read', 'search:read'],
      authKind: 'client_credentials',
      orgId: 'default',
      teamId: overrides.teamId ?? null,
    });

  it('answers 401 unauthorized with a Bearer challenge when no credential is sent', async () => {
    const res = await fetch(`${app.baseUrl}/auth/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse"');
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });
  });

  it('describes a bearer access token on /auth/me', async () => {
    const { token, jti } = await issue();
    const res = await fetch(`${app.baseUrl}/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      role: 'api_service',
      auth_kind: 'client_credentials',
      org_id: 'default',
      team_id: null,
      subject: 'svc-reporting',
      email: null,
      name: null,
      can_write: false,
      permissions: ['investigations:read', 'search:read'],
      scopes: ['investigations:read', 'search:read'],
    });
    expect(jti).toBeTruthy();
  });

  it('reads the access_token cookie before the Authorization header', async () => {
    const cookie = await issue({ scopes: ['graph:read', 'investigations:write'] });
    const res = await fetch(`${app.baseUrl}/auth/me`, {
      headers: { Cookie: `theme=dark; access_token=${cookie.token}`, Authorization: 'Bearer not-a-token' },
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { scopes: string[]; can_write: boolean };
    expect(body.scopes).toEqual(['investigations:write', 'graph:read']);
    expect(body.can_write).toBe(true);
  });

  it('refuses an expired access token with token_expired', async () => {
    const { token } = await issue();
    app.clock.advance(app.config.accessTokenTtlSeconds + 60);
    try {
      const res = await fetch(`${app.baseUrl}/auth/me`, { headers: { Authorization: `Bearer ${token}` } });
      expect(res.status).toBe(401);
      expect(await res.json()).toEqual({
        error: { code: 'token_expired', message: 'The access token has expired' },
      });
    } finally {
      app.clock.advance(-(app.config.accessTokenTtlSeconds + 60));
    }
  });

  it('refuses an unrecognized bearer credential', async () => {
    const res = await fetch(`${app.baseUrl}/auth/me`, { headers: { Authorization: 'Bearer nonsense' } });
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer realm="gatehouse", error="invalid_token"');
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid credential' } });
  });

  it('refuses a revoked access token even after it was cached', async () => {
    const { token, jti, expiresAt } = await issue();
    const headers = { Authorization: `Bearer ${token}` };
    expect((await fetch(`${app.baseUrl}/auth/verify`, { headers })).status).toBe(200);
    await revokeAccessToken(app.ctx, app.services.denylist, jti, expiresAt, { reason: 'test' });
    const res = await fetch(`${app.baseUrl}/auth/verify`, { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'The access token has been revoked' } });
    const rows = await app.store.db.selectFrom('audit_events').selectAll().where('credential_id', '=', jti).execute();
    expect(rows.map((r) => [r.kind, r.reason])).toContainEqual(['access_token.revoked', 'test']);
  });
});
