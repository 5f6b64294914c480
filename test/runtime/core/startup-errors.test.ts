import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../runtime/src/cli/run.js';
import { runDev } from '../../../runtime/src/dev/run-dev.js';
import { TEST_API_KEY_PEPPER, TEST_KEY_ENCRYPTION_KEY } from '../../support/config.js';
import { freePort } from '../../support/free-port.js';

/** Runs `gatehouse <argv>` in process; resolves to its exit code and what it wrote. */
async function gatehouse(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runCli(argv, { env, stdout: (t) => out.push(t), stderr: (t) => err.push(t) });
  return { code, stdout: out.join(''), stderr: err.join('') };
}

/** A port held by another process (here: a plain TCP server on every interface). */
async function occupiedPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, resolve));
  return { port: (server.address() as { port: number }).port, server };
}

/** One line, no stack trace. */
const oneLine = (text: string) => {
  expect(text.endsWith('\n')).toBe(true);
  expect(text.trimEnd().split('\n')).toHaveLength(1);
  expect(text).not.toMatch(/\n\s+at /);
};

describe('start-up failures say what to change, in one line, and exit non-zero', () => {
  let dir: string;
  let env: Record<string, string>;
  let held: { port: number; server: Server };
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gatehouse-startup-'));
    env = {
      NODE_ENV: 'test',
      PORT: '0',
      DATA_DIR: dir,
      DATABASE_URL: `sqlite:${join(dir, 'gatehouse.db')}`,
      KEY_ENCRYPTION_KEY: TEST_KEY_ENCRYPTION_KEY,
      API_KEY_PEPPER: TEST_API_KEY_PEPPER,
      LOG_LEVEL: 'silent',
    };
    held = await occupiedPort();
  });
  afterAll(async () => {
    await new Promise((resolve) => held.server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  it('names PORT when the port is in use, before anything is written', async () => {
    const result = await gatehouse(['serve'], { ...env, PORT: String(held.port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gatehouse serve: PORT ${held.port} is already in use: stop the process using it or set PORT to a free port\n`,
    );
    oneLine(result.stderr);
    expect(existsSync(join(dir, 'gatehouse.db'))).toBe(false);
  });

  it('names METRICS_PORT when the metrics port is in use', async () => {
    const result = await gatehouse(['serve'], { ...env, METRICS_PORT: String(held.port) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gatehouse serve: METRICS_PORT ${held.port} is already in use: stop the process using it or set METRICS_PORT to a free port\n`,
    );
    expect(existsSync(join(dir, 'gatehouse.db'))).toBe(false);
  });

  it('names DATABASE_URL when PostgreSQL cannot be reached', async () => {
    const closed = await freePort();
    const result = await gatehouse(['serve'], {
      ...env,
      DATABASE_URL: `postgres://gatehouse:secret-password@127.0.0.1:${closed}/gatehouse`,
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `gatehouse serve: The database at 127.0.0.1:${closed}/gatehouse cannot be reached (ECONNREFUSED): check DATABASE_URL and that PostgreSQL is running and reachable from here\n`,
    );
    expect(result.stderr).not.toContain('secret-password');
  });

  it('names DATABASE_URL and KEY_ENCRYPTION_KEY for the other commands too', async () => {
    const closed = await freePort();
    const migrate = await gatehouse(['migrate'], {
      ...env,
      DATABASE_URL: `postgres://gatehouse@127.0.0.1:${closed}/g`,
    });
    expect(migrate.code).toBe(1);
    expect(migrate.stderr).toBe(
      `migrate failed: The database at 127.0.0.1:${closed}/g cannot be reached (ECONNREFUSED): check DATABASE_URL and that PostgreSQL is running and reachable from here\n`,
    );
    const own = { ...env, DATABASE_URL: `sqlite:${join(dir, 'kek-cli.db')}` };
    expect((await gatehouse(['keys', 'rotate'], own)).code).toBe(0);
    const rotate = await gatehouse(['keys', 'rotate'], { ...own, KEY_ENCRYPTION_KEY: '44'.repeat(32) });
    expect(rotate.code).toBe(1);
    expect(rotate.stderr).toBe(
      'keys failed: KEY_ENCRYPTION_KEY does not decrypt the signing keys in this store: set the KEY_ENCRYPTION_KEY the store was created with\n',
    );
  });

  it('names KEY_ENCRYPTION_KEY when it does not open the stored signing keys', async () => {
    const own = { ...env, DATABASE_URL: `sqlite:${join(dir, 'kek.db')}` };
    expect((await gatehouse(['keys', 'rotate'], own)).code).toBe(0);
    const result = await gatehouse(['serve'], { ...own, KEY_ENCRYPTION_KEY: '33'.repeat(32) });
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      'gatehouse serve: KEY_ENCRYPTION_KEY does not decrypt the signing keys in this store: set the KEY_ENCRYPTION_KEY the store was created with\n',
    );
    oneLine(result.stderr);
  });

  it('npm run dev names DEV_IDP_PORT when the local IdP port is taken', async () => {
    const err: string[] = [];
    const result = await runDev({
      env: { PORT: String(await freePort()), DEV_IDP_PORT: String(held.port), DATA_DIR: dir, LOG_LEVEL: 'silent' },
      stdout: () => {},
      stderr: (t) => err.push(t),
    });
    expect(result).toBe(1);
    expect(err.join('')).toBe(
      `npm run dev: DEV_IDP_PORT ${held.port} is already in use: stop the process using it or set DEV_IDP_PORT to a free port (0 picks one; it is the local identity provider's port)\n`,
    );
  });
});
