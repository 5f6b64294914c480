import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { BENCH_NICE } from '../../bench/bench-priority.js';

const MODULE = fileURLToPath(new URL('../../bench/bench-priority.ts', import.meta.url));

/**
 * In a child process, so that the test runner keeps its own priority: raises it as the bench does, then reports the
 * nice value of a process and of a worker thread started afterwards.
 */
const SCRIPT = `
const { raiseBenchPriority } = await import(${JSON.stringify(MODULE)});
const { execFileSync } = await import('node:child_process');
const { Worker } = await import('node:worker_threads');
const priority = raiseBenchPriority();
const childNice = Number(execFileSync(process.execPath, ['-e', 'console.log(require("node:os").getPriority())']).toString());
const workerNice = await new Promise((resolve) => {
  const worker = new Worker(
    "const { parentPort } = require('node:worker_threads'); const stat = require('node:fs').readFileSync('/proc/thread-self/stat', 'latin1'); parentPort.postMessage(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]));",
    { eval: true, execArgv: [] },
  );
  worker.once('message', (nice) => { resolve(nice); worker.terminate(); });
});
console.log(JSON.stringify({ priority, childNice, workerNice }));
`;

describe('raiseBenchPriority', () => {
  it('runs the bench, the processes it starts and its later worker threads at BENCH_NICE, or says why not', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', SCRIPT], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    const { priority, childNice, workerNice } = JSON.parse(run.stdout) as {
      priority: { nice: number; notRaised?: string };
      childNice: number;
      workerNice: number;
    };
    if (process.getuid?.() === 0) {
      expect(priority).toEqual({ nice: BENCH_NICE });
      expect(childNice).toBe(BENCH_NICE);
      expect(workerNice).toBe(BENCH_NICE);
    } else {
      // Raising a priority needs root (or CAP_SYS_NICE): the bench runs on, at the priority it had, and says so.
      expect(priority.notRaised).toMatch(/EACCES|permission/i);
      expect(childNice).toBe(priority.nice);
    }
  });
});
