import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkIssuerUrl } from '../../../runtime/src/signin/relying-party.js';
import { isSafeReturnTo } from '../../../runtime/src/signin/return-to.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { errorBody } from './support/signin-harness.js';

describe('sign-in configuration', () => {
  let unconfigured: TestApp;
  let unreachable: TestApp;
  beforeAll(async () => {
    unconfigured = await startTestApp({ dialect: 'sqlite' });
    // Port 9 (discard) on loopback: nothing answers, discovery fails fast.
    unreachable = await startTestApp({
      dialect: 'sqlite',
      database: unconfigured.database,
      env: { OIDC_ISSUER: 'http://127.0.0.1:9', OIDC_CLIENT_ID: 'gatehouse' },
    });
  });
  afterAll(async () => {
    await unreachable?.close();
    await unconfigured?.close();
  });

  it('answers 404 on the sign-in endpoints when no IdP is configured', async () => {
    const response = await fetch(`${unconfigured.baseUrl}/auth/login`, { redirect: 'manual' });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual(
      errorBody('not_found', 'Browser sign-in is not configured on this runtime (set OIDC_ISSUER and OIDC_CLIENT_ID)'),
    );
  });

  it('starts while the IdP is unreachable and answers internal (logged) until discovery succeeds', async () => {
    const response = await fetch(`${unreachable.baseUrl}/auth/login`, { redirect: 'manual' });
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual(errorBody('internal', 'Internal error'));
    expect(unreachable.logs.some((line) => line.msg === 'request failed')).toBe(true);
  });

  it('accepts https issuers and plain http only for a loopback IdP outside production', () => {
    expect(checkIssuerUrl('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0', true)).toEqual({
      insecureLoopback: false,
    });
    expect(checkIssuerUrl('http://127.0.0.1:8081', false)).toEqual({ insecureLoopback: true });
    expect(checkIssuerUrl('http://localhost:8081', false)).toEqual({ insecureLoopback: true });
    expect(() => checkIssuerUrl('http://idp.example.com', false)).toThrow(
      'OIDC_ISSUER must be an https URL (plain http is allowed for a loopback development IdP only)',
    );
    expect(() => checkIssuerUrl('http://127.0.0.1:8081', true)).toThrow(
      'OIDC_ISSUER http://127.0.0.1:8081 is a local development identity provider; NODE_ENV=production requires an https issuer (for Entra ID: https://login.microsoftonline.com/<tenant-id>/v2.0)',
    );
  });

  it.each(['/', '/investigations/42', '/a/b?c=d&e=%2F#frag', '/%2F%2Fevil.example'])(
    'accepts the same-origin path %j as return_to',
    (value) => {
      expect(isSafeReturnTo(value, 'https://auth.example.com')).toBe(true);
    },
  );

  it.each([
    '',
    'dashboard',
    '//evil.example',
    '/\\evil.example',
    '/\tevil',
    'https://auth.example.com/x',
    `/${'a'.repeat(2048)}`,
  ])('refuses %j as return_to', (value) => {
    expect(isSafeReturnTo(value, 'https://auth.example.com')).toBe(false);
  });
});
