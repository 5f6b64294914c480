import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { BUNDLE_ENTRY, bundleRuntime } from '../runtime/bundle.js';
import { MAX_REQUEST_BUDGET_PER_MINUTE } from '../runtime/src/config.js';
import { imageNodeFlags } from './image-node-flags.js';

export { freePort } from '../test/support/free-port.js';

/** The bundled CLI (absolute path), what the image runs. */
export const BUNDLED_CLI = BUNDLE_ENTRY;

/** Bundles the runtime as the container does (runtime/bundle.ts), so the bench measures the production build. */
export async function buildRuntime(): Promise<void> {
  await bundleRuntime();
  if (!existsSync(BUNDLED_CLI)) throw new Error(`${BUNDLED_CLI} was not produced by the build`);
}

/**
 * Production configuration for one bench run, with fresh random secrets every time (never defaults): `port` for the
 * service, `metricsPort` for the operators' listener the bench reads GC totals from (GET /metrics is not on the
 * service port).
 */
export function productionEnv(
  port: number,
  metricsPort: number,
  databaseUrl: string,
  dataDir: string,
): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    METRICS_PORT: String(metricsPort),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    API_KEY_PEPPER: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    // Request budgets on (every request is counted, as in production) but far above what the load reaches: the bench
    // measures the cost of counting, never a refusal.
    ...Object.fromEntries(BUDGET_VARIABLES.map((name) => [name, String(MAX_REQUEST_BUDGET_PER_MINUTE)])),
  };
}

const BUDGET_VARIABLES = [
  'RATE_LIMIT_API_KEY_PER_MINUTE',
  'RATE_LIMIT_CLIENT_PER_MINUTE',
  'RATE_LIMIT_TEAM_TOKEN_PER_MINUTE',
  'RATE_LIMIT_USER_PER_MINUTE',
] as const;

/** Runs a CLI command of the bundled runtime (or of another build's `entry`) and returns its stdout. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv, entry = BUNDLED_CLI): string {
  return execFileSync(process.execPath, [entry, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export interface RuntimeProcess {
  readonly baseUrl: string;
  /** `http://127.0.0.1:<METRICS_PORT>`, where GET /metrics is served; undefined without METRICS_PORT. */
  readonly metricsOrigin: string | undefined;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readonly coldStartMs: number;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

export interface StartRuntimeOptions {
  /** Give up (and kill the process) after this many ms without a 200 from /readyz. Default 20000. */
  readonly timeoutMs?: number;
  /**
   * Node flags after the image's own (`imageNodeFlags`, which the runtime always starts with), e.g. `--cpu-prof` to
   * profile a scenario. Default none.
   */
  readonly nodeArgs?: readonly string[];
  /** The CLI entry to run. Default `BUNDLED_CLI`. */
  readonly entry?: string;
}

/** Starts `gatehouse serve` (bundled) with the image's node flags and waits until /readyz answers 200. */
export async function startRuntime(env: NodeJS.ProcessEnv, options: StartRuntimeOptions = {}): Promise<RuntimeProcess> {
  const { timeoutMs = 20_000, nodeArgs = [], entry = BUNDLED_CLI } = options;
  const started = performance.now();
  const child = spawn(process.execPath, [...imageNodeFlags(), ...nodeArgs, entry, 'serve'], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const baseUrl = `http://127.0.0.1:${env.PORT}`;
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  for (;;) {
    if (exited) throw new Error('gatehouse serve exited before it was ready');
    if (performance.now() - started > timeoutMs) {
      child.kill('SIGKILL');
      throw new Error(`gatehouse serve was not ready within ${timeoutMs} ms`);
    }
    try {
      const response = await fetch(`${baseUrl}/readyz`);
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  const coldStartMs = Math.round(performance.now() - started);
  return {
    baseUrl,
    metricsOrigin: env.METRICS_PORT ? `http://127.0.0.1:${env.METRICS_PORT}` : undefined,
    coldStartMs,
    child,
    stop: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null) return resolve(child.exitCode);
        child.once('exit', (code) => resolve(code));
        child.kill('SIGTERM');
      }),
  };
}
