import { type ChildProcess, spawn } from 'node:child_process';
import type { Sample, ThreadKey } from '../../bench/cpu-sampler.js';

const MS = 1e6;

/**
 * A CPU sample for the sampler's pure functions: each thread's [ran, waited] ms, the machine's process ticks (10 ms
 * each), and optionally its interrupt and steal ticks and other processes' [name, ticks, start ticks].
 */
export function sample(
  atMs: number,
  threads: { [key: ThreadKey]: [number, number] },
  processes = 0,
  {
    interrupts = 0,
    steal = 0,
    others = {},
  }: {
    interrupts?: number;
    steal?: number;
    others?: Record<number, [name: string, ticks: number, startTicks?: number]>;
  } = {},
): Sample {
  return {
    atMs,
    threads: new Map(
      Object.entries(threads).map(([key, [ranMs, waitedMs]]) => [
        key as ThreadKey,
        { ranNs: ranMs * MS, waitedNs: waitedMs * MS },
      ]),
    ),
    others: new Map(
      Object.entries(others).map(([pid, [name, ticks, startTicks = 1]]) => [Number(pid), { name, ticks, startTicks }]),
    ),
    machine: { processes, interrupts, steal },
  };
}

/**
 * A node process that burns `cpuMs` of CPU, says "done", then idles until killed; pinned to CPU `onCpu` when given,
 * else wherever the scheduler puts it.
 */
export function spin(cpuMs: number, { onCpu }: { onCpu?: number } = {}): ChildProcess {
  const script = `const start = process.cpuUsage(); while ((process.cpuUsage(start).user + process.cpuUsage(start).system) / 1000 < ${cpuMs}) {} console.log('done'); setInterval(() => {}, 1000);`;
  const stdio: ['ignore', 'pipe', 'inherit'] = ['ignore', 'pipe', 'inherit'];
  return onCpu === undefined
    ? spawn(process.execPath, ['-e', script], { stdio })
    : spawn('taskset', ['-c', String(onCpu), process.execPath, '-e', script], { stdio });
}
