import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { BENCH_NODE_FLAGS } from './bench-node-flags.js';

export interface ChildServer {
  readonly port: number;
  readonly process: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a bench server as its own process (so load generator and server do not share an event loop) and waits
 * for its first stdout line, `{"port": N}`. It runs with the bench's own node flags (bench-node-flags.ts), as the
 * runtime runs with the image's: the ceiling and the peer that idle beside the runtime between their paired runs
 * otherwise ran V8's memory reducer some 20 s after them (the peer: 160 ms of CPU in 1.2 s), inside the runtime's
 * third fixed-rate repetition.
 */
export async function startChildServer(
  script: string,
  env: NodeJS.ProcessEnv = {},
  timeoutMs = 15_000,
): Promise<ChildServer> {
  const child = spawn(process.execPath, [...BENCH_NODE_FLAGS, '--import', 'tsx', script], {
    env: { ...process.env, PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${script} did not start within ${timeoutMs} ms`)), timeoutMs);
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before listening`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { port: number }).port);
    });
  });
  return {
    port,
    process: child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
