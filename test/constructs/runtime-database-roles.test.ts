import { execFile } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { DATABASE_ROLES_SCRIPT } from '../../constructs/auth-runtime/index.js';

const run = promisify(execFile);

/**
 * The role job's script against a real PostgreSQL, as the job runs it: a token from a stand-in for the Container Apps
 * identity endpoint, psql as the administrator. Azure's `pgaadauth_create_principal_with_oid` is stood in for by a
 * function that creates a login role and records the object id it was given.
 */
describe('the database role job script', () => {
  const adminUrl = new URL(inject('postgresAdminUrl'));
  const suffix = randomBytes(4).toString('hex');
  const database = `gatehouse_roles_${suffix}`;
  const role = `gatehouse-test-id-${suffix}`;
  const objectId = randomUUID();
  const identityHeader = randomBytes(8).toString('hex');
  let identityEndpoint: Server;
  let endpointUrl = '';
  const requests: string[] = [];

  const admin = async <T>(databaseName: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
    const url = new URL(adminUrl);
    url.pathname = `/${databaseName}`;
    const client = new pg.Client({ connectionString: url.href });
    await client.connect();
    try {
      return await fn(client);
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    await admin('postgres', async (client) => {
      await client.query(`CREATE DATABASE ${database}`);
      await client.query(`CREATE OR REPLACE FUNCTION pgaadauth_create_principal_with_oid(
          role_name text, object_id text, object_type text, is_admin boolean, is_mfa boolean) RETURNS text
        LANGUAGE plpgsql AS $f$
        BEGIN
          EXECUTE format('CREATE ROLE %I LOGIN', role_name);
          EXECUTE format('COMMENT ON ROLE %I IS %L', role_name, object_type || ':' || object_id || ':' || is_admin);
          RETURN 'Created role for ' || role_name;
        END $f$`);
    });
    // The token is the administrator's password, so the script's PGPASSWORD works on a password-protected server.
    identityEndpoint = createServer((request, response) => {
      requests.push(request.url ?? '');
      if (request.headers['x-identity-header'] !== identityHeader) {
        response.writeHead(401).end();
        return;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      // A server that trusts local connections ignores the password; the script still needs a token.
      const token = decodeURIComponent(adminUrl.password) || 'token-for-a-trusting-server';
      response.end(JSON.stringify({ access_token: token, token_type: 'Bearer' }));
    });
    await new Promise<void>((resolve) => identityEndpoint.listen(0, '127.0.0.1', resolve));
    endpointUrl = `http://127.0.0.1:${(identityEndpoint.address() as AddressInfo).port}/msi/token`;
  });

  afterAll(async () => {
    identityEndpoint?.close();
    await admin('postgres', async (client) => {
      await client.query(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
      await client.query(`DROP ROLE IF EXISTS "${role}"`);
      await client.query(
        'DROP FUNCTION IF EXISTS pgaadauth_create_principal_with_oid(text, text, text, boolean, boolean)',
      );
    });
  });

  const runScript = (header = identityHeader) =>
    run('/bin/sh', ['-c', DATABASE_ROLES_SCRIPT], {
      env: {
        PATH: process.env.PATH,
        IDENTITY_ENDPOINT: endpointUrl,
        IDENTITY_HEADER: header,
        ADMIN_CLIENT_ID: 'admin-client-id',
        PGUSER: decodeURIComponent(adminUrl.username),
        PGHOST: adminUrl.hostname,
        PGPORT: adminUrl.port || '5432',
        PGSSLMODE: 'disable',
        PGDATABASE: database,
        RUNTIME_ROLE: role,
        RUNTIME_OBJECT_ID: objectId,
      },
    });

  it('creates the runtime role from its object id, grants it the database and schema, and can run again', async () => {
    const first = await runScript();
    expect(first.stdout).toContain(`role ${role} ready in ${database}`);
    await runScript();
    expect(requests[0]).toBe(
      '/msi/token?api-version=2019-08-01&resource=https%3A%2F%2Fossrdbms-aad.database.windows.net&client_id=admin-client-id',
    );
    const roles = await admin('postgres', (client) =>
      client.query(
        `SELECT rolsuper, rolcreatedb, rolcreaterole, rolcanlogin, shobj_description(oid, 'pg_authid') AS comment
           FROM pg_roles WHERE rolname = $1`,
        [role],
      ),
    );
    expect(roles.rows).toEqual([
      {
        rolsuper: false,
        rolcreatedb: false,
        rolcreaterole: false,
        rolcanlogin: true,
        comment: `service:${objectId}:false`,
      },
    ]);
    await admin(database, async (client) => {
      await client.query(`SET ROLE "${role}"`);
      // What migrations and the store need: tables of its own in the public schema.
      await client.query('CREATE TABLE runtime_owned (id integer primary key)');
      await client.query('INSERT INTO runtime_owned VALUES (1)');
      await expect(client.query('CREATE DATABASE gatehouse_roles_forbidden')).rejects.toThrow(
        'permission denied to create database',
      );
      await expect(client.query('CREATE ROLE forbidden')).rejects.toThrow('permission denied to create role');
      await expect(client.query('CREATE SCHEMA forbidden')).rejects.toThrow('permission denied for database');
    });
  });

  it('fails without a token for the administrator identity', async () => {
    await expect(runScript('wrong-header')).rejects.toThrow();
  });
});
