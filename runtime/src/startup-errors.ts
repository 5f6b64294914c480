import type { DatabaseConfig } from './config.js';
import { isStoreUnavailable } from './store/store-errors.js';

/**
 * A start-up failure the operator can fix. `message` is one line naming the cause and the setting to change; the
 * entry points print it (no stack trace) and exit non-zero.
 */
export class StartupError extends Error {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, options);
    this.name = 'StartupError';
  }
}

/** A port that cannot be bound: in use, privileged, or on an address this host does not have. */
export function explainListenFailure(error: unknown, setting: string, port: number, host: string | undefined): Error {
  const code = (error as NodeJS.ErrnoException)?.code;
  const where = host ? ` on ${host}` : '';
  if (code === 'EADDRINUSE') {
    return new StartupError(
      `${setting} ${port} is already in use${where}: stop the process using it or set ${setting} to a free port`,
      { cause: error },
    );
  }
  if (code === 'EACCES') {
    return new StartupError(`${setting} ${port} needs privileges to bind${where}: set ${setting} above 1023`, {
      cause: error,
    });
  }
  if (code === 'EADDRNOTAVAIL') {
    return new StartupError(`${setting} ${port} cannot be bound: this host has no address ${host}`, { cause: error });
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The store cannot be opened or migrated: unreachable, refused the login, no such database, unreadable file. */
export function explainStoreFailure(error: unknown, database: DatabaseConfig): Error {
  const root = rootCause(error);
  const code = (root as { code?: unknown })?.code;
  const detail = typeof code === 'string' ? code : ((root as Error)?.message ?? String(root)).slice(0, 120);
  const target = describeDatabase(database);
  if (database.kind === 'sqlite' && (isStoreUnavailable(root) || code === 'SQLITE_READONLY' || code === 'EACCES')) {
    return new StartupError(
      `The SQLite database ${target} cannot be opened for writing (${detail}): check DATABASE_URL or DATA_DIR`,
      { cause: error },
    );
  }
  if (isStoreUnavailable(root)) {
    return new StartupError(
      `The database at ${target} cannot be reached (${detail}): check DATABASE_URL and that PostgreSQL is running and reachable from here`,
      { cause: error },
    );
  }
  if (code === '28P01' || code === '28000') {
    return new StartupError(
      `The database at ${target} refused the login (${detail}): check the user and password in DATABASE_URL (or DATABASE_AUTH)`,
      { cause: error },
    );
  }
  if (code === '3D000') {
    return new StartupError(
      `The database at ${target} does not exist (${detail}): check the database name in DATABASE_URL`,
      {
        cause: error,
      },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

/** The signing keys in the store do not open with the configured key-encryption key. */
export function explainKeyFailure(error: unknown): Error {
  const message = (rootCause(error) as Error)?.message ?? '';
  if (message.includes('cannot be decrypted')) {
    return new StartupError(
      'KEY_ENCRYPTION_KEY does not decrypt the signing keys in this store: set the KEY_ENCRYPTION_KEY the store was created with',
      { cause: error },
    );
  }
  return error instanceof Error ? error : new Error(String(error));
}

function rootCause(error: unknown): unknown {
  let current = error;
  for (let depth = 0; depth < 5; depth++) {
    const cause = (current as { cause?: unknown })?.cause;
    if (cause === undefined) break;
    current = cause;
  }
  return current;
}

/** Where the store is, without credentials: `host:port/database`, or the SQLite file. */
function describeDatabase(database: DatabaseConfig): string {
  if (database.kind === 'sqlite') return database.filename;
  try {
    const url = new URL(database.url);
    return `${url.hostname}:${url.port || '5432'}${url.pathname}`;
  } catch {
    return 'DATABASE_URL';
  }
}
