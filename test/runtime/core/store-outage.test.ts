import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import { startTestApp, type TestApp } from '../../support/app.js';
import { createTestDatabase, type TestDatabase } from '../../support/databases.js';
import { bootstrapAdminKey, call, createKey, eventually } from '../auth/helpers.js';
import { basic, clientToken, createClient, postForm } from '../oauth/helpers.js';
import { TcpProxy } from './tcp-proxy.js';

const UNAVAILABLE = {
  error: { code: 'unavailable', message: 'The service is temporarily unavailable; retry later' },
};

/** PostgreSQL goes away (connections reset, new ones refused) while the runtime is under load. */
describe('store outage: degrade, do not fail', () => {
  let database: TestDatabase;
  let proxy: TcpProxy;
  let app: TestApp;
  let admin: string;

  beforeAll(async () => {
    database = await createTestDatabase('postgres');
    const url = new URL(database.databaseUrl);
    proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
    const viaProxy = new URL(database.databaseUrl);
    viaProxy.hostname = '127.0.0.1';
    viaProxy.port = String(await proxy.start());
    app = await startTestApp({ dialect: 'postgres', database, env: { DATABASE_URL: viaProxy.href } });
    admin = await bootstrapAdminKey(app);
  });
  afterAll(async () => {
    await app?.close();
    await proxy?.stop();
    await database?.drop();
  });

  it('answers held credentials from memory and 503 for what needs the store, never 500', async () => {
    // Credentials in use before the outage: an API key, a team token, a client and its access token.
    const key = await createKey(app, admin, { name: 'held', scopes: ['search:read'] });
    expect(
      (await call(app, '/api/v1/orgs/default/teams', { apiKey: admin, body: { slug: 'ops', name: 'Ops' } })).status,
    ).toBe(201);
    const team = (await (
      await call(app, '/api/v1/orgs/default/teams/ops/tokens', { apiKey: admin, body: { scopes: ['search:read'] } })
    ).json()) as { token: string };
    const client = await createClient(app, admin, ['search:read']);
    const { access_token } = await clientToken(app, client);
    const held: Array<[string, Parameters<typeof call>[2]]> = [
      ['api key', { apiKey: key.api_key }],
      ['admin key', { apiKey: admin }],
      ['team token', { bearer: team.token }],
      ['access token', { bearer: access_token }],
    ];
    for (const [, credential] of held) expect((await call(app, '/auth/verify', credential)).status).toBe(200);

    proxy.down = true;
    proxy.cut();

    const never = generateApiKey('test').apiKey;
    const requests: Array<Promise<[string, Response]>> = [];
    for (let round = 0; round < 10; round++) {
      for (const [name, credential] of held) {
        requests.push(call(app, '/auth/verify?scope=search:read', credential).then((r) => [name, r]));
      }
      requests.push(call(app, '/auth/verify', { apiKey: never }).then((r) => ['unknown key', r]));
      requests.push(
        call(app, '/api/v1/api-keys', { apiKey: admin, body: { name: `w${round}`, scopes: ['search:read'] } }).then(
          (r) => ['write', r],
        ),
      );
      requests.push(
        postForm(
          app,
          '/oauth2/token',
          { grant_type: 'client_credentials' },
          {
            authorization: basic(`cli_${'x'.repeat(20)}${round}`, 'secret'),
          },
        ).then((r) => ['oauth', r]),
      );
    }
    const answers = await Promise.all(requests);
    const statuses = new Map<string, Set<number>>();
    for (const [name, res] of answers) {
      statuses.set(name, (statuses.get(name) ?? new Set()).add(res.status));
      if (name === 'unknown key' || name === 'write') {
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toEqual(UNAVAILABLE);
      } else if (name === 'oauth') {
        expect(res.headers.get('retry-after')).toBe('5');
        expect(await res.json()).toEqual({
          error: 'temporarily_unavailable',
          error_description: 'The service is temporarily unavailable; retry later',
        });
      } else {
        await res.arrayBuffer();
      }
    }
    expect(Object.fromEntries([...statuses].map(([name, set]) => [name, [...set]]))).toEqual({
      'api key': [200],
      'admin key': [200],
      'team token': [200],
      'access token': [200],
      'unknown key': [503],
      write: [503],
      oauth: [503],
    });
    expect((await call(app, '/readyz')).status).toBe(503);
    expect(app.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);

    // The store comes back: writes and first-time checks work again.
    proxy.down = false;
    app.clock.advance(2);
    await eventually(async () => (await call(app, '/readyz')).status === 200);
    const after = await createKey(app, admin, { name: 'after', scopes: ['search:read'] });
    expect((await call(app, '/auth/verify', { apiKey: after.api_key })).status).toBe(200);
  });
});
