import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { call } from './helpers.js';

describe('auth metrics and OpenAPI', () => {
  const suite = useAppWithAdmin('sqlite');

  it('counts auth outcomes by credential kind and coarse reason, on the metrics listener only', async () => {
    await call(suite.app, '/auth/verify', { apiKey: suite.admin });
    await call(suite.app, '/auth/verify', { apiKey: suite.admin });
    await call(suite.app, '/auth/verify');
    await call(suite.app, '/auth/verify', { bearer: 'not-a-jwt' });
    const { token } = await suite.app.ctx.tokens.issue({
      subject: 'svc',
      scopes: ['graph:read'],
      authKind: 'client_credentials',
      orgId: 'default',
    });
    suite.app.clock.advance(suite.app.config.accessTokenTtlSeconds + 60);
    try {
      await call(suite.app, '/auth/verify', { bearer: token });
    } finally {
      suite.app.clock.advance(-(suite.app.config.accessTokenTtlSeconds + 60));
    }
    const text = await (await fetch(`${suite.app.metricsUrl}/metrics`)).text();
    const count = (labels: string) =>
      Number(new RegExp(`^gatehouse_auth_outcomes_total\\{${labels}\\} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
    expect(count('kind="api_key",outcome="success",reason="ok"')).toBe(2);
    expect(count('kind="none",outcome="failure",reason="missing"')).toBe(1);
    expect(count('kind="unrecognized",outcome="failure",reason="invalid"')).toBe(1);
    expect(count('kind="access_token",outcome="failure",reason="expired"')).toBe(1);
  });

  it('documents the auth, API-key and audit operations in /openapi.json', async () => {
    const res = await fetch(`${suite.app.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
    expect(Object.keys(doc.paths['/api/v1/api-keys'] ?? {}).sort()).toEqual(['get', 'post']);
    expect(Object.keys(doc.paths['/api/v1/api-keys/{id}'] ?? {})).toEqual(['get', 'patch', 'delete']);
    expect(Object.keys(doc.paths['/api/v1/api-keys/{id}/rotate'] ?? {})).toEqual(['post']);
    expect(Object.keys(doc.paths['/auth/me'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/auth/verify'] ?? {})).toEqual(['get']);
    expect(Object.keys(doc.paths['/api/v1/audit'] ?? {})).toEqual(['get']);
  });
});
