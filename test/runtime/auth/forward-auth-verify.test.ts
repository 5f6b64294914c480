import { describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey, identityOf } from './helpers.js';

describe.each(STORE_DIALECTS)('GET /auth/verify (forward auth) on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('answers 200 with the X-Auth-* headers for an API key holding the scopes', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'gateway', scopes: ['graph:read', 'search:read'] });
    const res = await call(suite.app, '/auth/verify?scope=search:read,graph:read', { apiKey: key.api_key });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(identityOf(res)).toEqual({
      subject: `api_key:${key.key_id}`,
      role: '',
      scopes: 'search:read graph:read',
      kind: 'api_key',
      org: 'default',
      team: '',
    });
  });

  it('reports role, team and kind of an access token', async () => {
    const { token } = await suite.app.ctx.tokens.issue({
      subject: 'alice@example.com',
      role: 'operator',
      scopes: ['team:read', 'team:write'],
      authKind: 'team_token',
      orgId: 'default',
      teamId: 'team-platform',
    });
    const res = await call(suite.app, '/auth/verify?scope=team:write', { bearer: token });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-auth-role')).toBe('operator');
    expect(res.headers.get('x-auth-team')).toBe('team-platform');
    expect(res.headers.get('x-auth-kind')).toBe('team_token');
    expect(res.headers.get('x-auth-scopes')).toBe('team:read team:write');
  });

  it('answers 401 without a credential and 401 for an unknown key', async () => {
    const missing = await call(suite.app, '/auth/verify?scope=graph:read');
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-auth-error')).toBe('unauthorized');
    expect(await missing.json()).toEqual({ error: { code: 'unauthorized', message: 'Authentication required' } });
    const unknown = await call(suite.app, '/auth/verify', { apiKey: generateApiKey('test').apiKey });
    expect(unknown.status).toBe(401);
    expect(await unknown.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });
  });

  it('answers 403 forbidden naming the first missing scope', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'narrow', scopes: ['incidents:read'] });
    const res = await call(suite.app, '/auth/verify?scope=incidents:read,graph:read', { apiKey: key.api_key });
    expect(res.status).toBe(403);
    expect(res.headers.get('x-auth-error')).toBe('forbidden');
    expect(await res.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "graph:read"' },
    });
  });

  it('answers 400 for a malformed scope parameter', async () => {
    const res = await call(suite.app, '/auth/verify?scope=%3Cscript%3E', { apiKey: suite.admin });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'query.scope: expected catalog scopes separated by commas, e.g. scope=graph:read,search:read',
      },
    });
  });

  it('answers HEAD like GET (Envoy ext_authz may probe with the original method)', async () => {
    const res = await call(suite.app, '/auth/verify', { apiKey: suite.admin, method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('x-auth-role')).toBe('admin');
  });

  it('serves Envoy ext_authz under the /auth/verify prefix with scopes from X-Auth-Require-Scopes', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'envoy', scopes: ['search:read'] });
    const ok = await call(suite.app, '/auth/verify/api/search?q=whatever', {
      apiKey: key.api_key,
      method: 'POST',
      headers: { 'X-Auth-Require-Scopes': 'search:read' },
    });
    expect(ok.status).toBe(200);
    expect(ok.headers.get('x-auth-kind')).toBe('api_key');
    const denied = await call(suite.app, '/auth/verify/api/graph', {
      apiKey: key.api_key,
      method: 'DELETE',
      headers: { 'X-Auth-Require-Scopes': 'graph:read' },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      error: { code: 'forbidden', message: 'The credential lacks the scope "graph:read"' },
    });
  });

  it('honours ?scope= on every verify path: trailing slash, Envoy prefix, any method', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'search-only', scopes: ['search:read'] });
    for (const [method, path] of [
      ['GET', '/auth/verify?scope=users:manage'],
      ['GET', '/auth/verify/?scope=users:manage'],
      ['GET', '/auth/verify/api/admin?scope=users:manage'],
      ['POST', '/auth/verify/api/admin?q=1&scope=users:manage'],
      ['GET', '/Auth/Verify?scope=users:manage'],
    ] as const) {
      const res = await call(suite.app, path, { apiKey: key.api_key, method });
      expect({ path, status: res.status }).toEqual({ path, status: 403 });
      expect(await res.json()).toEqual({
        error: { code: 'forbidden', message: 'The credential lacks the scope "users:manage"' },
      });
    }
    const ok = await call(suite.app, '/auth/verify/?scope=search:read', { apiKey: key.api_key });
    expect(ok.status).toBe(200);
  });

  it('refuses unknown, ambiguous or repeated scope parameters with 400 naming the parameter', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'search-only-2', scopes: ['search:read'] });
    const cases: Array<[string, string]> = [
      ['/auth/verify?Scope=users:manage', 'query.Scope'],
      ['/auth/verify?scope[]=users:manage', 'query.scope[]'],
      ['/auth/verify?scopes=users:manage', 'query.scopes'],
      ['/auth/verify?SCOPE=users:manage&scope=search:read', 'query.SCOPE'],
      ['/auth/verify?scope=search:read&scope=users:manage', 'query.scope'],
      ['/auth/verify/?scope=search:read&scope=users:manage', 'query.scope'],
      ['/auth/verify/api/x?Scope=users:manage', 'query.Scope'],
      // A name that is more than a variant of scope is not repeated back (it may be something the caller typed).
      ['/auth/verify?scope-s3cr3t-value-typed-here=1', 'query: a parameter like scope'],
    ];
    for (const [path, parameter] of cases) {
      const res = await call(suite.app, path, { apiKey: key.api_key });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(res.headers.get('x-auth-error')).toBe('invalid_request');
      const body = (await res.json()) as { error: { code: string; message: string } };
      expect(body.error.code).toBe('invalid_request');
      expect(body.error.message.startsWith(`${parameter}:`)).toBe(true);
    }
  });
});
