import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../../support/app.js';
import { bootstrapAdminKey } from '../auth/helpers.js';

/** The real app, in process on port 0 (SQLite; store behaviour across dialects is covered by store.test.ts). */
describe('runtime HTTP surface', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp({ dialect: 'sqlite' });
  });
  afterAll(() => app?.close());

  it('serves RFC 8414 metadata pointing at its own endpoints', async () => {
    const res = await fetch(`${app.baseUrl}/.well-known/oauth-authorization-server`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      issuer: 'http://127.0.0.1:8080',
      token_endpoint: 'http://127.0.0.1:8080/oauth2/token',
      jwks_uri: 'http://127.0.0.1:8080/.well-known/jwks.json',
      scopes_supported: ['investigations:read', 'investigations:write', 'incidents:read', 'search:read', 'graph:read'],
    });
  });

  it('echoes a well-formed X-Request-Id and makes one otherwise, on fast and Express routes', async () => {
    const echoed = await fetch(`${app.baseUrl}/.well-known/jwks.json`, { headers: { 'x-request-id': 'gw-123' } });
    expect(echoed.headers.get('x-request-id')).toBe('gw-123');
    const fresh = await fetch(`${app.baseUrl}/healthz`, { headers: { 'x-request-id': 'bad id\twith spaces' } });
    expect(fresh.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('answers fast routes through Express too (the app used directly), with one X-Request-Id', async () => {
    const direct = createServer(app.runtime.app);
    await new Promise<void>((resolve) => direct.listen(0, '127.0.0.1', resolve));
    try {
      const base = `http://127.0.0.1:${(direct.address() as AddressInfo).port}`;
      for (const [path, status] of [
        ['/.well-known/jwks.json', 200],
        ['/auth/verify', 401],
      ] as const) {
        const res = await fetch(`${base}${path}`, { headers: { 'x-request-id': 'direct-1' } });
        expect([path, res.status, res.headers.get('x-request-id')]).toEqual([path, status, 'direct-1']);
        await res.arrayBuffer();
      }
    } finally {
      await new Promise((resolve) => direct.close(resolve));
    }
  });

  it('exports request metrics by route pattern and status, and auth outcomes by kind and reason', async () => {
    await fetch(`${app.baseUrl}/healthz`);
    await fetch(`${app.baseUrl}/definitely/not/here?token=abc`);
    app.ctx.metrics.recordAuth('api_key', 'failure', 'revoked');
    app.ctx.metrics.recordAuth('api_key', 'success');
    const res = await fetch(`${app.metricsUrl}/metrics`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="GET",route="\/healthz",status="200"\} [1-9]/,
    );
    expect(text).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="GET",route="unmatched",status="404"\} 1/,
    );
    expect(text).toMatch(
      /gatehouse_http_request_duration_seconds_count\{method="GET",route="\/.well-known\/jwks.json",status="200"\}/,
    );
    expect(text).toContain('gatehouse_auth_outcomes_total{kind="api_key",outcome="failure",reason="revoked"} 1');
    expect(text).toContain('gatehouse_auth_outcomes_total{kind="api_key",outcome="success",reason="ok"} 1');
    expect(text).not.toContain('definitely');
  });

  it('echoes X-Request-Id exactly once from every fast route, answering or refusing', async () => {
    const admin = await bootstrapAdminKey(app);
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const probes: Array<[string, RequestInit, number]> = [
      ['/auth/verify?scope=graph:read', { headers: { 'x-api-key': admin } }, 200],
      ['/auth/verify', {}, 401],
      ['/.well-known/jwks.json', {}, 200],
      ['/.well-known/oauth-authorization-server', {}, 200],
      ['/oauth2/token', { method: 'POST', headers: form, body: 'grant_type=client_credentials' }, 401],
      ['/oauth2/introspect', { method: 'POST', headers: form, body: 'token=x' }, 401],
      ['/oauth2/revoke', { method: 'POST', headers: form, body: 'token=x' }, 401],
    ];
    for (const [path, init, status] of probes) {
      const res = await fetch(`${app.baseUrl}${path}`, {
        ...init,
        headers: { ...(init.headers as Record<string, string>), 'x-request-id': `probe-${status}` },
      });
      expect([path, res.status]).toEqual([path, status]);
      // Fetch joins repeated headers with ", ": an exact match also proves there is only one.
      expect([path, res.headers.get('x-request-id')]).toEqual([path, `probe-${status}`]);
      await res.arrayBuffer();
    }
  });

  it('serves an OpenAPI 3.1 document generated from the registered schemas', async () => {
    const res = await fetch(`${app.baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as {
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
      components: { schemas: Record<string, unknown>; securitySchemes: Record<string, unknown> };
    };
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/healthz', '/readyz', '/openapi.json', '/.well-known/jwks.json']),
    );
    expect(doc.paths['/readyz']?.get?.responses['503']).toMatchObject({
      content: { 'application/json': { schema: { type: 'object', required: ['status', 'checks'] } } },
    });
    expect(doc.components.schemas.Error).toMatchObject({ type: 'object', required: ['error'] });
    expect(Object.keys(doc.components.securitySchemes)).toEqual(['bearer', 'apiKey', 'cookie', 'clientBasic']);
  });

  it('answers /readyz 503 when the signing key or the store is unavailable', async () => {
    const broken = await startTestApp({ dialect: 'sqlite' });
    try {
      await broken.store.db.deleteFrom('signing_keys').execute();
      await broken.ctx.keys.reload();
      const noKey = await fetch(`${broken.baseUrl}/readyz`);
      expect(noKey.status).toBe(503);
      expect(await noKey.json()).toEqual({ status: 'not_ready', checks: { store: 'ok', signing_key: 'missing' } });
      await broken.store.close();
      const res = await fetch(`${broken.baseUrl}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({
        status: 'not_ready',
        checks: { store: 'unreachable', signing_key: 'missing' },
      });
    } finally {
      await broken.runtime.shutdown(100).catch(() => {});
      await broken.database.drop();
    }
  });
});
