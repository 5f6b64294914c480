import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sql } from 'kysely';
import * as oidc from 'openid-client';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clientAssertionAuth,
  JWT_BEARER_ASSERTION_TYPE,
  managedIdentityClientAuth,
} from '../../../runtime/src/azure/client-assertion.js';
import { AZURE_POSTGRES_SCOPE, managedIdentityTokenSource } from '../../../runtime/src/azure/managed-identity.js';
import { postgresConnectionConfig } from '../../../runtime/src/azure/postgres-connection.js';
import { type ConfigError, loadConfig } from '../../../runtime/src/config.js';
import { openStore } from '../../../runtime/src/store/store.js';
import { ManualClock } from '../../support/clock.js';
import { startEmbeddedPostgres } from '../../support/embedded-postgres.js';
import { IdentityEndpoint, useIdentityEndpoint } from './identity-endpoint.js';
import { PasswordRecordingServer } from './postgres-wire.js';

const CLIENT_ID = '6f1c2d3e-0000-4000-8000-00000000c11e';
const POSTGRES_RESOURCE = 'https://ossrdbms-aad.database.windows.net';
const EXCHANGE_RESOURCE = 'api://AzureADTokenExchange';

const identity = new IdentityEndpoint();
const wire = new PasswordRecordingServer();
let restoreEnv: () => void;
let wirePort: number;

beforeAll(async () => {
  const endpoint = await identity.start();
  restoreEnv = useIdentityEndpoint(endpoint, identity.header);
  wirePort = await wire.start();
});

afterAll(async () => {
  restoreEnv();
  await Promise.all([identity.stop(), wire.stop()]);
});

/** The config the Container App gets (AuthRuntime's env), pointed at a loopback server. */
function managedIdentityConfig(url: string) {
  return loadConfig(
    {
      DATABASE_URL: url,
      DATABASE_AUTH: 'managed-identity',
      AZURE_CLIENT_ID: CLIENT_ID,
      DATA_DIR: '/tmp/gatehouse-azure-test',
    },
    { cwd: '/tmp' },
  );
}

describe('managed identity on the Container Apps identity endpoint', () => {
  it('requests tokens with the identity header, api-version 2019-08-01, the resource and the client id', async () => {
    const source = managedIdentityTokenSource(AZURE_POSTGRES_SCOPE, { clientId: CLIENT_ID });
    const token = await source.getToken();
    expect(token).toMatch(new RegExp(`^mi-\\d+-${POSTGRES_RESOURCE}$`));
    expect(identity.requestsFor(POSTGRES_RESOURCE).at(-1)).toEqual({
      resource: POSTGRES_RESOURCE,
      clientId: CLIENT_ID,
      apiVersion: '2019-08-01',
      header: identity.header,
    });
  });

  it('reports an endpoint refusal as an error, never as a token', async () => {
    const resource = 'https://refused.example.com';
    identity.refusedResources.add(resource);
    const source = managedIdentityTokenSource(`${resource}/.default`, { clientId: CLIENT_ID });
    await expect(source.getToken()).rejects.toThrow();
    expect(identity.requests.at(-1)).toMatchObject({ resource, header: identity.header, clientId: CLIENT_ID });
    expect(identity.issued.some((t) => t.resource === resource)).toBe(false);
  });
});

describe('DATABASE_AUTH=managed-identity', () => {
  it('parses into a PostgreSQL config carrying the identity, and refuses a password in the URL or SQLite', () => {
    expect(
      managedIdentityConfig('postgres://gatehouse-dev-id@db.example.com:5432/gatehouse?sslmode=require').database,
    ).toEqual({
      kind: 'postgres',
      url: 'postgres://gatehouse-dev-id@db.example.com:5432/gatehouse?sslmode=require',
      auth: { kind: 'managed-identity', clientId: CLIENT_ID },
    });
    const problems = (url: string) => {
      try {
        managedIdentityConfig(url);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    expect(problems('postgres://user:secret@db.example.com/gatehouse')).toEqual([
      'DATABASE_URL must not contain a password when DATABASE_AUTH=managed-identity (the token is the password)',
    ]);
    expect(problems('sqlite:./data/x.db')).toEqual([
      'DATABASE_AUTH=managed-identity needs a postgres:// DATABASE_URL (user = the managed identity name)',
    ]);
    expect(loadConfig({ DATABASE_URL: 'postgres://u:p@h/db', DATA_DIR: '/tmp/gatehouse-azure-test' }).database).toEqual(
      {
        kind: 'postgres',
        url: 'postgres://u:p@h/db',
      },
    );
  });

  it('splits the URL into pg fields with a password function, TLS from sslmode', () => {
    const config = postgresConnectionConfig({
      kind: 'postgres',
      url: 'postgres://gatehouse-dev-id@db.example.com:6432/gate%20house?sslmode=require',
      auth: { kind: 'managed-identity', clientId: CLIENT_ID },
    });
    expect(config).toEqual({
      host: 'db.example.com',
      port: 6432,
      user: 'gatehouse-dev-id',
      database: 'gate house',
      ssl: true,
      password: expect.any(Function),
    });
    expect(() =>
      postgresConnectionConfig({
        kind: 'postgres',
        url: 'postgres://id@h/db?sslmode=require&application_name=x',
        auth: { kind: 'managed-identity', clientId: CLIENT_ID },
      }),
    ).toThrow(
      'DATABASE_URL parameters application_name are not supported with DATABASE_AUTH=managed-identity (only sslmode)',
    );
    expect(postgresConnectionConfig({ kind: 'postgres', url: 'postgres://u:p@h/db' })).toEqual({
      connectionString: 'postgres://u:p@h/db',
    });
  });

  it('sends the managed-identity token as the password of every new store connection', async () => {
    const config = managedIdentityConfig(`postgres://gatehouse-dev-id@127.0.0.1:${wirePort}/gatehouse`);
    const store = openStore(config.database, { poolSize: 2 });
    try {
      await store.ping();
      expect(wire.logins.at(-1)).toEqual({
        user: 'gatehouse-dev-id',
        database: 'gatehouse',
        password: expect.any(String),
      });
      // The password is a token the identity endpoint issued to this identity for Azure Database for PostgreSQL.
      expect(identity.tokensFor(POSTGRES_RESOURCE, CLIENT_ID)).toContain(wire.logins.at(-1)?.password);
    } finally {
      await store.close();
    }
  });

  it('refreshes the token before it expires: a connection opened inside the margin presents a new one', async () => {
    const clock = new ManualClock(Date.now());
    const clientId = '6f1c2d3e-0000-4000-8000-0000000fe5e1';
    // Tokens shorter than the client library's own 5-minute refresh window, so it asks the endpoint every time the
    // source refreshes; the source's margin (60 s) decides when that is.
    identity.lifetimeSeconds = 120;
    try {
      const config = postgresConnectionConfig(
        {
          kind: 'postgres',
          url: `postgres://gatehouse-dev-id@127.0.0.1:${wirePort}/gatehouse`,
          auth: { kind: 'managed-identity', clientId },
        },
        { clock, refreshMarginSeconds: 60 },
      );
      const passwords: string[] = [];
      const connectOnce = async () => {
        const client = new pg.Client(config);
        await client.connect();
        passwords.push(wire.logins.at(-1)?.password as string);
        await client.end();
      };
      await connectOnce();
      clock.advance(30);
      await connectOnce();
      clock.advance(31);
      await connectOnce();
      expect(passwords[1]).toBe(passwords[0]);
      expect(passwords[2]).not.toBe(passwords[0]);
      expect(identity.tokensFor(POSTGRES_RESOURCE, clientId)).toEqual([passwords[0], passwords[2]]);
    } finally {
      identity.lifetimeSeconds = 3600;
    }
  });

  it('signs in to a real PostgreSQL server as a role whose password is the token', async () => {
    // Its own embedded server, because it requires passwords: on a trust-auth server (CI's) PostgreSQL never asks
    // for one, and the token would not be what signs in.
    const server = await startEmbeddedPostgres();
    const adminUrl = server.adminUrl;
    const admin = new URL(adminUrl);
    const suffix = randomBytes(6).toString('hex');
    const role = `gatehouse_mi_${suffix}`;
    const clientId = `6f1c2d3e-0000-4000-8000-${suffix}`;
    const token = `mi${randomBytes(24).toString('hex')}`;
    identity.fixedTokens.set(clientId, token);
    const adminClient = new pg.Client({ connectionString: adminUrl });
    await adminClient.connect();
    await adminClient.query(`CREATE ROLE ${role} LOGIN PASSWORD '${token}'`);
    const config = loadConfig({
      DATABASE_URL: `postgres://${role}@${admin.host}${admin.pathname}`,
      DATABASE_AUTH: 'managed-identity',
      AZURE_CLIENT_ID: clientId,
      DATA_DIR: '/tmp/gatehouse-azure-test',
    });
    const store = openStore(config.database, { poolSize: 1 });
    try {
      const { rows } = await sql<{ user: string }>`select current_user as user`.execute(store.db);
      expect(rows[0].user).toBe(role);
      expect(identity.tokensFor(POSTGRES_RESOURCE, clientId)).toEqual([token]);
    } finally {
      await store.close();
      await adminClient.query(`DROP ROLE ${role}`);
      await adminClient.end();
      await server.stop();
    }
  }, 120_000);
});

describe('OIDC_CLIENT_AUTH=managed-identity', () => {
  let tokenServer: Server;
  let issuer: string;
  const tokenRequests: URLSearchParams[] = [];

  beforeAll(async () => {
    tokenServer = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        tokenRequests.push(new URLSearchParams(body));
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ access_token: 'issued', token_type: 'Bearer', expires_in: 3600 }));
      });
    });
    await new Promise<void>((resolve) => tokenServer.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(tokenServer.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => tokenServer.close(() => resolve())));

  it('parses into an OIDC config with a managed-identity client assertion and refuses a secret next to it', () => {
    const env = {
      OIDC_ISSUER: 'https://login.microsoftonline.com/00000000-0000-0000-0000-000000000001/v2.0',
      OIDC_CLIENT_ID: 'api-client-id',
      OIDC_CLIENT_AUTH: 'managed-identity',
      AZURE_CLIENT_ID: CLIENT_ID,
      DATA_DIR: '/tmp/gatehouse-azure-test',
    };
    expect(loadConfig(env).oidc).toMatchObject({
      clientId: 'api-client-id',
      clientSecret: undefined,
      clientAssertion: { kind: 'managed-identity', clientId: CLIENT_ID },
    });
    expect(() => loadConfig({ ...env, OIDC_CLIENT_SECRET: 'a-secret-value' })).toThrow(
      'OIDC_CLIENT_SECRET must not be set when OIDC_CLIENT_AUTH=managed-identity (the assertion replaces it)',
    );
    expect(() => loadConfig({ ...env, OIDC_CLIENT_AUTH: 'certificate' })).toThrow(
      'OIDC_CLIENT_AUTH must be one of client-secret, managed-identity (default client-secret)',
    );
  });

  it("presents the identity's api://AzureADTokenExchange token as a jwt-bearer client assertion through openid-client", async () => {
    const configuration = new oidc.Configuration(
      { issuer, token_endpoint: `${issuer}/token` },
      'api-client-id',
      undefined,
      managedIdentityClientAuth({ clientId: CLIENT_ID }),
    );
    oidc.allowInsecureRequests(configuration);
    const tokens = await oidc.clientCredentialsGrant(configuration, { scope: 'openid' });
    expect(tokens.access_token).toBe('issued');
    const sent = tokenRequests.at(-1) as URLSearchParams;
    expect(sent.get('client_id')).toBe('api-client-id');
    expect(sent.get('client_assertion_type')).toBe(JWT_BEARER_ASSERTION_TYPE);
    expect(sent.get('client_assertion')).toMatch(new RegExp(`^mi-\\d+-${EXCHANGE_RESOURCE}$`));
    expect(sent.has('client_secret')).toBe(false);
    expect(identity.requestsFor(EXCHANGE_RESOURCE).at(-1)).toMatchObject({
      clientId: CLIENT_ID,
      header: identity.header,
    });
  });

  it('asks the token source on every request (so a refreshed assertion is used)', async () => {
    const assertions = ['first', 'second'];
    const auth = clientAssertionAuth({ getToken: async () => assertions.shift() as string });
    const configuration = new oidc.Configuration({ issuer, token_endpoint: `${issuer}/token` }, 'c', undefined, auth);
    oidc.allowInsecureRequests(configuration);
    await oidc.clientCredentialsGrant(configuration);
    await oidc.clientCredentialsGrant(configuration);
    expect(tokenRequests.slice(-2).map((body) => body.get('client_assertion'))).toEqual(['first', 'second']);
  });
});
