import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, type Env, loadConfig } from '../../../runtime/src/config.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call } from '../auth/helpers.js';
import { FakeEntra } from './fake-entra.js';

const CLIENT_ID = '3f1b2c4d-0000-4000-8000-00000000c1d0';
const APP_ID_URI = 'api://gatehouse-test';
const OTHER_TENANT = '0b6a6c2e-1111-4111-8111-111111111111';

describe.each(STORE_DIALECTS)('Entra v1.0 and v2.0 access tokens on %s', (dialect) => {
  const entra = new FakeEntra();
  const v1Issuer = `https://sts.windows.net/${entra.tenant}/`;
  let app: TestApp;
  const now = () => Math.floor(app.clock.now() / 1000);
  const me = (token: string) => call(app, '/auth/me', { bearer: token });
  const user = { oid: 'user-object-id', roles: ['analyst'] };

  beforeAll(async () => {
    await entra.start();
    await entra.addKey('key-1');
    app = await startTestApp({
      dialect,
      env: {
        OIDC_ISSUER: entra.issuer,
        OIDC_CLIENT_ID: CLIENT_ID,
        OIDC_V1_ISSUER: v1Issuer,
        OIDC_APP_ID_URI: APP_ID_URI,
      },
    });
  });
  afterAll(async () => {
    await app?.close();
    await entra.stop();
  });

  it('accepts a v2.0 token whose audience is the client id', async () => {
    const res = await me(await entra.token('key-1', { ...user, aud: CLIENT_ID }, now()));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ auth_kind: 'entra_jwt', role: 'analyst', subject: 'user-object-id' });
  });

  it('accepts a v1.0 token of the same tenant whose audience is the Application ID URI or the client id', async () => {
    for (const aud of [APP_ID_URI, CLIENT_ID]) {
      const token = await entra.token('key-1', { ...user, iss: v1Issuer, ver: '1.0', aud }, now());
      const res = await me(token);
      expect(res.status, aud).toBe(200);
      expect(await res.json()).toMatchObject({ auth_kind: 'entra_jwt', role: 'analyst' });
    }
  });

  it('refuses a v2.0 token whose audience is the Application ID URI (v2.0 tokens always carry the client id)', async () => {
    const res = await me(await entra.token('key-1', { ...user, aud: APP_ID_URI }, now()));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'The token has the wrong audience' } });
  });

  it('refuses a v1.0 token of another tenant', async () => {
    const otherTenant = `https://sts.windows.net/${OTHER_TENANT}/`;
    const res = await me(await entra.token('key-1', { ...user, iss: otherTenant, ver: '1.0', aud: APP_ID_URI }, now()));
    expect(res.status).toBe(401);
  });

  it('refuses a token whose ver claim disagrees with its issuer', async () => {
    const res = await me(await entra.token('key-1', { ...user, ver: '1.0', aud: CLIENT_ID }, now()));
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      error: { code: 'unauthorized', message: 'The token says version 1.0 but its issuer issues v2.0 tokens' },
    });
  });

  it('refuses a token that carries the group-overage marker instead of roles, naming the cause', async () => {
    for (const overage of [{ _claim_names: { groups: 'src1' }, _claim_sources: { src1: {} } }, { hasgroups: true }]) {
      const token = await entra.token('key-1', { oid: 'many-groups', aud: CLIENT_ID, ...overage }, now());
      const res = await me(token);
      expect(res.status).toBe(403);
      expect(await res.json()).toEqual({
        error: {
          code: 'forbidden',
          message:
            'The token carries no roles, only a group-overage marker (_claim_names): gatehouse maps app roles, not groups; assign an app role of this API to the user or to one of their groups',
        },
      });
    }
  });

  it('accepts a token with the overage marker when it also carries app roles', async () => {
    const token = await entra.token('key-1', { ...user, aud: CLIENT_ID, _claim_names: { groups: 'src1' } }, now());
    expect((await me(token)).status).toBe(200);
  });
});

describe('the v1.0 issuer in the configuration', () => {
  const base: Env = {
    KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
    API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    DATA_DIR: '/tmp/gatehouse-entra-versions',
    OIDC_CLIENT_ID: CLIENT_ID,
  };
  const tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';

  it("is derived from an Entra v2.0 issuer of the public or the China cloud, for the issuer's tenant", () => {
    const of = (issuer: string) => loadConfig({ ...base, OIDC_ISSUER: issuer }).oidc?.v1Issuer;
    expect(of(`https://login.microsoftonline.com/${tenant}/v2.0`)).toBe(`https://sts.windows.net/${tenant}/`);
    expect(of(`https://login.partner.microsoftonline.cn/${tenant}/v2.0`)).toBe(
      `https://sts.chinacloudapi.cn/${tenant}/`,
    );
  });

  it('is not derived for another identity provider, or for an issuer that names no tenant id', () => {
    const of = (issuer: string) => loadConfig({ ...base, OIDC_ISSUER: issuer }).oidc?.v1Issuer;
    expect(of('https://idp.example.com/realms/gatehouse')).toBeUndefined();
    expect(of('https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0')).toBeUndefined();
  });

  it('is OIDC_V1_ISSUER when set, and none with OIDC_V1_ISSUER=none', () => {
    const issuer = `https://login.microsoftonline.com/${tenant}/v2.0`;
    const of = (v1: string) => loadConfig({ ...base, OIDC_ISSUER: issuer, OIDC_V1_ISSUER: v1 }).oidc?.v1Issuer;
    expect(of('https://sts.example.us/tenant/')).toBe('https://sts.example.us/tenant/');
    expect(of('none')).toBeUndefined();
  });

  it('refuses an OIDC_V1_ISSUER that is not an https URL and an OIDC_APP_ID_URI that is not a URI', () => {
    const env = {
      ...base,
      OIDC_ISSUER: `https://login.microsoftonline.com/${tenant}/v2.0`,
      OIDC_V1_ISSUER: 'sts.windows.net',
      OIDC_APP_ID_URI: 'gatehouse',
    };
    expect(() => loadConfig(env)).toThrow(ConfigError);
    try {
      loadConfig(env);
    } catch (error) {
      expect((error as ConfigError).problems).toEqual([
        'OIDC_V1_ISSUER must be an https URL like https://sts.windows.net/<tenant id>/, or none (got "sts.windows.net")',
        'OIDC_APP_ID_URI must be the API\'s Application ID URI, like api://gatehouse-prod (got "gatehouse")',
      ]);
    }
  });
});
