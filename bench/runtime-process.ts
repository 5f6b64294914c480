import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { imageNodeOptions } from './image-node-options.js';

export { freePort } from '../test/support/free-port.js';

const COMPILED_CLI = 'runtime/dist/runtime/src/cli/main.js';

/** Compiles the runtime as the container does (tsc → runtime/dist), so the bench measures the production build. */
export function buildRuntime(): void {
  execFileSync('npx', ['tsc', '-p', 'runtime/tsconfig.build.json'], { stdio: 'inherit' });
  if (!existsSync(COMPILED_CLI)) throw new Error(`${COMPILED_CLI} was not produced by the build`);
}

/**
 * Production configuration for one bench run, with the image's NODE_OPTIONS; fresh random secrets every time (never
 * defaults).
 */
export function productionEnv(port: number, databaseUrl: string, dataDir: string): NodeJS.ProcessEnv {
  return {
    NODE_ENV: 'production',
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    DATABASE_URL: databaseUrl,
    DATA_DIR: dataDir,
    KEY_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    API_KEY_PEPPER: randomBytes(32).toString('base64'),
    LOG_LEVEL: 'warn',
    NODE_OPTIONS: imageNodeOptions(),
  };
}

/** Runs a CLI command of the compiled runtime and returns its stdout. */
export function runCli(args: readonly string[], env: NodeJS.ProcessEnv): string {
  return execFileSync(process.execPath, [COMPILED_CLI, ...args], {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
}

export interface RuntimeProcess {
  readonly baseUrl: string;
  /** Milliseconds from spawn to the first 200 from /readyz. */
  readonly coldStartMs: number;
  readonly child: ChildProcess;
  stop(): Promise<number | null>;
}

/** Starts `gatehouse serve` (compiled) and waits until /readyz answers 200. */
export async function startRuntime(
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
  /** Extra node flags, e.g. `--cpu-prof` to profile a scenario (not allowed in NODE_OPTIONS). */
  nodeArgs: readonly string[] = [],
): Promise<RuntimeProcess> {
  const started = performance.now();
  const child = spawn(process.execPath, [...nodeArgs, COMPILED_CLI, 'serve'], {
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
