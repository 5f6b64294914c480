import { execFileSync } from 'node:child_process';

/** Wall time of a command, in milliseconds, best of `runs` (the first run warms file caches). */
export function timeCommand(command: string, args: readonly string[], runs = 2, env: NodeJS.ProcessEnv = {}): number {
  let best = Number.POSITIVE_INFINITY;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    execFileSync(command, args, { stdio: 'pipe', env: { ...process.env, ...env } });
    best = Math.min(best, performance.now() - started);
  }
  return Math.round(best);
}
