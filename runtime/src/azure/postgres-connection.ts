import type pg from 'pg';
import type { DatabaseConfig } from '../config.js';
import { AZURE_POSTGRES_SCOPE, type ManagedIdentityOptions, managedIdentityTokenSource } from './managed-identity.js';

type PostgresDatabase = Extract<DatabaseConfig, { kind: 'postgres' }>;

/**
 * The `pg` client/pool settings for a PostgreSQL `DATABASE_URL`. With `DATABASE_AUTH=managed-identity` the password is
 * a function returning the managed identity's Entra token (refreshed before expiry); pg calls it for every new
 * connection, and PostgreSQL checks the token only at sign-in, so open connections outlive it. The URL is split into
 * fields because pg lets a connection string's (empty) password override a `password` function; of its query
 * parameters only `sslmode` applies in this mode (other parameters throw, rather than being dropped silently).
 */
export function postgresConnectionConfig(
  database: PostgresDatabase,
  overrides: Omit<ManagedIdentityOptions, 'clientId'> = {},
): pg.ClientConfig {
  if (database.auth?.kind !== 'managed-identity') return { connectionString: database.url };
  const url = new URL(database.url);
  const unsupported = [...url.searchParams.keys()].filter((name) => name !== 'sslmode');
  if (unsupported.length > 0) {
    throw new Error(
      `DATABASE_URL parameters ${unsupported.join(', ')} are not supported with DATABASE_AUTH=managed-identity (only sslmode)`,
    );
  }
  const tokens = managedIdentityTokenSource(AZURE_POSTGRES_SCOPE, { ...overrides, clientId: database.auth.clientId });
  return {
    host: url.hostname,
    port: url.port ? Number(url.port) : 5432,
    user: decodeURIComponent(url.username),
    database: decodeURIComponent(url.pathname.slice(1)) || undefined,
    ssl: sslFromMode(url.searchParams.get('sslmode')),
    password: () => tokens.getToken(),
  };
}

/** libpq `sslmode` to pg's `ssl`: certificates are verified for every mode that uses TLS (Azure's are public CAs). */
function sslFromMode(mode: string | null): boolean | undefined {
  if (mode === null) return undefined;
  return mode !== 'disable';
}
