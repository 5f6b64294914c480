import { readFileSync } from 'node:fs';
import { Worker } from 'node:worker_threads';
import { describe, expect, it } from 'vitest';
import { ProcfsReader, parseProcessStat, parseProcStat, parseSchedstat } from '../../bench/thread-cpu.js';

describe('procfs parsing', () => {
  it('reads ran and waited nanoseconds from a schedstat line', () => {
    expect(parseSchedstat('521159 211545 3\n')).toEqual({ ranNs: 521159, waitedNs: 211545 });
  });

  it('refuses a line it does not understand, quoting it', () => {
    expect(() => parseSchedstat('n/a')).toThrow(/unexpected schedstat line: "n\/a"/);
  });

  it('reads a process name, parentheses and spaces included, its CPU and start ticks from /proc/<pid>/stat', () => {
    const line = '4242 (my (odd) proc) S 1 4242 4242 0 -1 4194560 1200 0 3 0 250 17 0 0 20 0 4 0 99 1000 2000\n';
    expect(parseProcessStat(Buffer.from(line))).toEqual({ name: 'my (odd) proc', ticks: 267, startTicks: 99 });
    // This process's own line: its start is no later than now, in ticks since boot.
    const own = parseProcessStat(readFileSync('/proc/self/stat'));
    expect(own.startTicks).toBeGreaterThan(0);
    expect(own.startTicks / 100).toBeLessThanOrEqual(Number(readFileSync('/proc/uptime', 'latin1').split(' ')[0]));
    expect(() => parseProcessStat(Buffer.from('garbage'))).toThrow(/unexpected \/proc\/<pid>\/stat line: "garbage"/);
  });

  it('sums the busy fields of /proc/stat, interrupts and steal apart', () => {
    // user nice system idle iowait irq softirq steal guest guest_nice
    const text = 'cpu  14546 7 3722 27532 414 5 413 63 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n';
    expect(parseProcStat(text)).toEqual({ processes: 14546 + 7 + 3722, interrupts: 5 + 413, steal: 63 });
    expect(() => parseProcStat('intr 1 2 3\n')).toThrow(/no aggregate "cpu" line/);
  });
});

/** User and system CPU time of a `process.cpuUsage()` delta, in ms. */
function cpuMs({ user, system }: NodeJS.CpuUsage): number {
  return (user + system) / 1000;
}

describe('ProcfsReader', () => {
  it('reads fresh times through the descriptors it keeps open, and drops a thread once it has exited', async () => {
    const reader = new ProcfsReader();
    try {
      // The listener keeps the worker alive until it is terminated: without it the worker exits once it has posted, and
      // on a busy machine it was gone before its thread was listed.
      const worker = new Worker(
        "const { parentPort } = require('node:worker_threads'); parentPort.once('message', () => {}); parentPort.postMessage(require('node:fs').readlinkSync('/proc/thread-self'));",
        { eval: true },
      );
      const threadSelf = await new Promise<string>((resolve) => worker.once('message', resolve));
      const workerTid = Number(threadSelf.split('/').at(-1));
      const before = reader.readThreads(process.pid);
      expect(before.has(workerTid)).toBe(true);
      // Burn 30 ms of CPU on this (the main) thread, counted in CPU time rather than wall-clock time: on a busy
      // machine a wall-clock spin may hardly run at all.
      const cpuBefore = process.cpuUsage();
      while (cpuMs(process.cpuUsage(cpuBefore)) < 30) {
        // spin
      }
      await worker.terminate();
      const after = reader.readThreads(process.pid);
      expect(after.has(workerTid)).toBe(false);
      const ranMs = ((after.get(process.pid)?.ranNs ?? 0) - (before.get(process.pid)?.ranNs ?? 0)) / 1e6;
      // Stale contents (a descriptor read without regenerating the file) would show no time at all.
      expect(ranMs).toBeGreaterThan(5);
      // An exited process has no threads left to read, and is no error.
      expect(reader.readThreads(2 ** 22 + 1).size).toBe(0);
      // Every other process, with its name; not those excepted.
      const processes = reader.readProcesses(new Set([process.pid]));
      expect(processes.has(process.pid)).toBe(false);
      expect(processes.get(1)?.name).toMatch(/\S/);
      expect(processes.get(process.ppid)?.ticks).toBeGreaterThanOrEqual(0);
    } finally {
      reader.close();
    }
  });
});
