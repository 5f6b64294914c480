/**
 * Whether `error` says the store cannot be reached now (as opposed to a bug or a bad query): the connection was
 * refused, reset or timed out, the server is shutting down or refuses connections, or SQLite's file is locked or
 * unreadable. Such errors answer 503 `unavailable` and let cached credentials keep working.
 */
export function isStoreUnavailable(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; message?: unknown; errors?: unknown };
  const code = typeof e.code === 'string' ? e.code : '';
  if (NETWORK_CODES.has(code)) return true;
  // PostgreSQL SQLSTATE: class 08 (connection exception), 57P01-57P03 (shutdown, cannot connect now), 53300.
  if (/^08[0-9A-Z]{3}$/.test(code) || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300') {
    return true;
  }
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_IOERR') || code === 'SQLITE_CANTOPEN') return true;
  const message = typeof e.message === 'string' ? e.message : '';
  if (PG_CONNECTION_MESSAGES.some((text) => message.includes(text))) return true;
  // net's happy-eyeballs connect fails with an AggregateError of one error per address.
  return Array.isArray(e.errors) && e.errors.length > 0 && e.errors.every(isStoreUnavailable);
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EPIPE',
]);

/** node-postgres reports a lost or unobtainable connection by message only. */
const PG_CONNECTION_MESSAGES = [
  'Connection terminated',
  'timeout exceeded when trying to connect',
  'Client has encountered a connection error and is not queryable',
  'Client was closed and is not queryable',
  'connection timeout',
];
