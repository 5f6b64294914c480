import { closeSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';

/**
 * Per-thread CPU accounting from Linux's procfs: how long each thread ran, and how long it sat runnable in a run queue
 * waiting for a CPU (`/proc/<pid>/task/<tid>/schedstat`, nanoseconds since the thread started). The second number is
 * what tells a stretch where the runtime was slow at its own work from one where it was ready but another thread held
 * both cores.
 */
export interface ThreadTimes {
  readonly ranNs: number;
  readonly waitedNs: number;
}

/** `/proc/<pid>/task/<tid>/schedstat`: time on a CPU, time waiting in a run queue (both ns), timeslices run. */
export function parseSchedstat(text: string): ThreadTimes {
  const fields = text.trim().split(/\s+/);
  const ranNs = Number(fields[0]);
  const waitedNs = Number(fields[1]);
  if (fields.length < 2 || !Number.isFinite(ranNs) || !Number.isFinite(waitedNs)) {
    throw new Error(`unexpected schedstat line: ${JSON.stringify(text.slice(0, 80))}`);
  }
  return { ranNs, waitedNs };
}

/** A process's CPU time from `/proc/<pid>/stat`: all its threads, in clock ticks (user and system). */
export interface ProcessTicks {
  /**
   * The command name (`comm`), e.g. `postgres`. A kernel worker's changes with the work it does
   * (`kworker/0:1-events`, then `kworker/0:1-mm_percpu_wq`).
   */
  readonly name: string;
  readonly ticks: number;
  /** When the process started, in clock ticks since boot: tells a pid reused by a new process. */
  readonly startTicks: number;
}

const SPACE = 0x20;
const CLOSE_PAREN = 0x29;
/** Fields after the name (state, ppid, pgrp, ...): utime and stime, then starttime (proc_pid_stat(5)). */
const UTIME_FIELD = 11;
const STIME_FIELD = 12;
const STARTTIME_FIELD = 19;

/**
 * `/proc/<pid>/stat`, read straight from its bytes: the bench reads it for every process every 100 ms, and splitting
 * each line into its 50-odd fields cost about 10 µs a process.
 */
export function parseProcessStat(data: Buffer): ProcessTicks {
  const open = data.indexOf('(');
  const close = data.lastIndexOf(CLOSE_PAREN);
  const values: number[] = [];
  let field = 0;
  let value = 0;
  let digits = 0;
  for (let index = close + 2; open >= 0 && close > open && index <= data.length; index++) {
    const byte = index < data.length ? (data[index] as number) : SPACE;
    if (byte !== SPACE && byte !== 0x0a) {
      value = value * 10 + (byte - 0x30);
      digits++;
      continue;
    }
    if (field === UTIME_FIELD || field === STIME_FIELD || field === STARTTIME_FIELD) values.push(digits ? value : NaN);
    if (field === STARTTIME_FIELD) break;
    field++;
    value = 0;
    digits = 0;
  }
  const [utime = NaN, stime = NaN, startTicks = NaN] = values;
  if (!Number.isFinite(utime + stime + startTicks)) {
    throw new Error(`unexpected /proc/<pid>/stat line: ${JSON.stringify(data.toString('latin1', 0, 80))}`);
  }
  return { name: data.toString('latin1', open + 1, close), ticks: utime + stime, startTicks };
}

/**
 * Reads procfs files again and again through file descriptors it keeps open: a procfs file read again from offset 0
 * is generated afresh, and that costs about 3 µs against 18 µs for opening, reading and closing it each time (the
 * bench samples a few dozen threads and every process every 100 ms, on the cores it measures).
 */
export class ProcfsReader {
  private readonly open = new Map<string, number>();
  private readonly buffer = Buffer.alloc(1024);

  /** Every live thread of `pid`, by thread id; empty once the process has exited. */
  readThreads(pid: number): Map<number, ThreadTimes> {
    const threads = new Map<number, ThreadTimes>();
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      return threads;
    }
    for (const tid of tids) {
      const data = this.read(`/proc/${pid}/task/${tid}/schedstat`);
      if (data !== undefined) threads.set(Number(tid), parseSchedstat(data.toString('latin1')));
    }
    return threads;
  }

  /** Every process but `except`, kernel threads included, by pid. */
  readProcesses(except: ReadonlySet<number>): Map<number, ProcessTicks> {
    const processes = new Map<number, ProcessTicks>();
    const live = new Set<string>();
    for (const entry of readdirSync('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid) || except.has(pid)) continue;
      const path = `/proc/${entry}/stat`;
      live.add(path);
      const data = this.read(path);
      if (data !== undefined) processes.set(pid, parseProcessStat(data));
    }
    // Close the descriptors of processes no longer listed, so that they do not pile up over a run.
    for (const path of this.open.keys()) if (path.endsWith('/stat') && !live.has(path)) this.forget(path);
    return processes;
  }

  /** The file's bytes, in a buffer the next read overwrites; undefined when its process or thread has exited. */
  private read(path: string): Buffer | undefined {
    try {
      let fd = this.open.get(path);
      if (fd === undefined) {
        fd = openSync(path, 'r');
        this.open.set(path, fd);
      }
      return this.buffer.subarray(0, readSync(fd, this.buffer, 0, this.buffer.length, 0));
    } catch (error) {
      // The process or thread exited since it was listed (ENOENT on open, ESRCH on reading an open file).
      this.forget(path);
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ESRCH') return undefined;
      throw error;
    }
  }

  private forget(path: string): void {
    const fd = this.open.get(path);
    if (fd !== undefined) closeSync(fd);
    this.open.delete(path);
  }

  close(): void {
    for (const path of [...this.open.keys()]) this.forget(path);
  }
}

/** The machine's CPU time since boot, from the `cpu` line of `/proc/stat`, in clock ticks (USER_HZ, 100/s). */
export interface MachineTicks {
  /** user, nice and system: processes and kernel threads at work. */
  readonly processes: number;
  /** irq and softirq: interrupt handling, e.g. loopback TCP's packet processing. */
  readonly interrupts: number;
  /** Time the hypervisor ran something else while this VM had work for the CPU. */
  readonly steal: number;
}

export const CLOCK_TICK_MS = 10;

export function parseProcStat(text: string): MachineTicks {
  const line = text.split('\n').find((candidate) => candidate.startsWith('cpu '));
  if (!line) throw new Error('/proc/stat has no aggregate "cpu" line');
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = line
    .slice(4)
    .trim()
    .split(/\s+/)
    .map(Number);
  return { processes: user + nice + system, interrupts: irq + softirq, steal };
}

export function readMachineTicks(): MachineTicks {
  return parseProcStat(readFileSync('/proc/stat', 'latin1'));
}
