import {
  CLOCK_TICK_MS,
  type MachineTicks,
  type ProcessTicks,
  ProcfsReader,
  readMachineTicks,
  type ThreadTimes,
} from './thread-cpu.js';

/**
 * Samples, every `intervalMs` during a fixed-rate repetition, how long the runtime's threads, the bench's and
 * PostgreSQL's ran and waited for a CPU, so that a slow quarter-second can be told apart: the runtime's main thread busy
 * at its own work, or waiting while something else held both cores (the generator, its GC helpers, PostgreSQL, the
 * runtime's own helpers, another process), or the hypervisor stealing the CPU.
 */
export type CpuGroup = 'runtimeMain' | 'runtimeHelpers' | 'generator' | 'benchOther' | 'postgres';

/** A sampled thread: its process and its kernel thread id. Its group is decided when a window is described. */
export type ThreadKey = `${'runtime' | 'bench' | 'postgres'}/${number}`;

/** Milliseconds a group of threads ran, and spent runnable waiting for a CPU, in a window. */
export interface CpuShare {
  readonly ranMs: number;
  readonly waitedMs: number;
}

/** What the machine's CPUs did during a window (`CpuSampler.window`). */
export interface CpuWindow {
  /** The sampled span covering the window asked for: it starts at or before it and ends at or after it. */
  readonly sampledMs: number;
  /** The runtime's event-loop (main) thread. */
  readonly runtimeMain: CpuShare;
  /** The runtime's other threads: V8's GC and compiler helpers, libuv's pool (crypto, fs). */
  readonly runtimeHelpers: CpuShare;
  /** The fixed-rate generator's worker thread (all of the bench's threads are `benchOther` until its id is known). */
  readonly generator: CpuShare;
  /** The bench's other threads: V8's GC helpers (the generator's scavenges run on them too), the main thread. */
  readonly benchOther: CpuShare;
  /** PostgreSQL's processes that existed when sampling started (none on SQLite). */
  readonly postgres: CpuShare;
  /**
   * CPU time of every other process and kernel thread (disk writeback, memory management...): `/proc/stat`'s user and
   * system time less the above, to a clock tick (10 ms) per CPU.
   */
  readonly otherRanMs: number;
  /** The (up to three) other processes that ran longest, to a clock tick, longest first. */
  readonly busiestOthers: readonly OtherProcess[];
  /** Hard and soft interrupt time, to a clock tick: mostly loopback TCP, about 20 µs a request on a small VM. */
  readonly interruptsMs: number;
  /** Time the hypervisor gave this VM's CPUs to someone else, to a clock tick. */
  readonly stealMs: number;
}

export interface OtherProcess {
  readonly pid: number;
  readonly name: string;
  readonly ranMs: number;
}

export interface Sample {
  /** Wall clock, ms since the epoch, so that it lines up with the generator's (another thread's) quarter-seconds. */
  readonly atMs: number;
  readonly threads: ReadonlyMap<ThreadKey, ThreadTimes>;
  /** Every other process and kernel thread, by pid. */
  readonly others: ReadonlyMap<number, ProcessTicks>;
  readonly machine: MachineTicks;
}

export interface CpuSamplerOptions {
  readonly runtimePid: number;
  /** Default this process. */
  readonly benchPid?: number;
  /** Default the processes named `postgres` when sampling starts. */
  readonly postgresPids?: readonly number[];
  /**
   * Default 100 ms. A sample reads the schedstat of a few dozen threads and the stat of every process (about 75 on a
   * small VM), about 1 ms of CPU on the bench's main thread: 1% of a core, against the generator's 25%.
   */
  readonly intervalMs?: number;
}

const EMPTY_SHARE: CpuShare = { ranMs: 0, waitedMs: 0 };

function wallClockMs(): number {
  return performance.timeOrigin + performance.now();
}

export class CpuSampler {
  private readonly samples: Sample[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly runtimePid: number;
  private readonly benchPid: number;
  private readonly postgresPids: readonly number[];
  private generatorTid: number | undefined;
  private readonly reader = new ProcfsReader();
  private readonly sampledPids: ReadonlySet<number>;

  constructor(options: CpuSamplerOptions) {
    this.runtimePid = options.runtimePid;
    this.benchPid = options.benchPid ?? process.pid;
    this.postgresPids =
      options.postgresPids ??
      [...this.reader.readProcesses(new Set())].filter(([, other]) => other.name === 'postgres').map(([pid]) => pid);
    this.sampledPids = new Set([this.runtimePid, this.benchPid, ...this.postgresPids]);
    this.sample();
    this.timer = setInterval(() => this.sample(), options.intervalMs ?? 100);
  }

  /** Names the generator's thread in the bench process (`runPacedLoadOnWorker`'s `onThreadId`). */
  setGeneratorThread(tid: number): void {
    this.generatorTid = tid;
  }

  /** Takes a last sample and stops; `window` still answers afterwards. */
  stop(): void {
    clearInterval(this.timer);
    this.sample();
    this.reader.close();
  }

  private sample(): void {
    const threads = new Map<ThreadKey, ThreadTimes>();
    for (const [tid, times] of this.reader.readThreads(this.runtimePid)) threads.set(`runtime/${tid}`, times);
    for (const [tid, times] of this.reader.readThreads(this.benchPid)) threads.set(`bench/${tid}`, times);
    for (const pid of this.postgresPids) {
      for (const [tid, times] of this.reader.readThreads(pid)) threads.set(`postgres/${tid}`, times);
    }
    const others = this.reader.readProcesses(this.sampledPids);
    this.samples.push({ atMs: wallClockMs(), threads, others, machine: readMachineTicks() });
  }

  /** The CPU accounting from the first sample to the last, or undefined before a second sample. */
  whole(): CpuWindow | undefined {
    return this.window(Number.NEGATIVE_INFINITY, Number.POSITIVE_INFINITY);
  }

  /**
   * The CPU accounting of the sampled span covering [fromMs, toMs] (wall clock, ms since the epoch), or undefined
   * when no two samples cover any of it.
   */
  window(fromMs: number, toMs: number): CpuWindow | undefined {
    return coveringWindow(this.samples, fromMs, toMs, this.roles());
  }

  /** The samples taken so far, oldest first, and which threads are the runtime's main and the generator. */
  recorded(): { readonly samples: readonly Sample[]; readonly roles: ThreadRoles } {
    return { samples: this.samples, roles: this.roles() };
  }

  private roles(): ThreadRoles {
    return { runtimeMainTid: this.runtimePid, generatorTid: this.generatorTid };
  }
}

/** Between the last sample at or before `fromMs` (else the first) and the first at or after `toMs` (else the last). */
export function coveringWindow(
  samples: readonly Sample[],
  fromMs: number,
  toMs: number,
  roles: ThreadRoles,
): CpuWindow | undefined {
  const firstIndex = Math.max(
    0,
    samples.findLastIndex((sample) => sample.atMs <= fromMs),
  );
  const found = samples.findIndex((sample) => sample.atMs >= toMs);
  const lastIndex = found >= 0 ? found : samples.length - 1;
  if (lastIndex <= firstIndex) return undefined;
  return describeSpan(samples.slice(firstIndex, lastIndex + 1), roles);
}

/** The threads with a group of their own: a process's main thread has the process's id as its thread id. */
export interface ThreadRoles {
  readonly runtimeMainTid: number;
  readonly generatorTid?: number;
}

function groupOf(key: ThreadKey, roles: ThreadRoles): CpuGroup {
  const [process, tidText] = key.split('/');
  const tid = Number(tidText);
  if (process === 'runtime') return tid === roles.runtimeMainTid ? 'runtimeMain' : 'runtimeHelpers';
  if (process === 'bench') return tid === roles.generatorTid ? 'generator' : 'benchOther';
  return 'postgres';
}

/**
 * Each group's threads' run and wait time over consecutive samples (at least two), and the machine's time beside them.
 * A thread born inside the span counts from zero; one that exited inside it counts until the last sample that saw it
 * (the generator's thread ends with its repetition, before the sampler's last sample).
 */
export function describeSpan(span: readonly Sample[], roles: ThreadRoles): CpuWindow {
  const first = span[0] as Sample;
  const last = span.at(-1) as Sample;
  const zero = (): Record<CpuGroup, number> => ({
    runtimeMain: 0,
    runtimeHelpers: 0,
    generator: 0,
    benchOther: 0,
    postgres: 0,
  });
  const ranNs = zero();
  const waitedNs = zero();
  const latest = new Map<ThreadKey, ThreadTimes>();
  for (const sample of span.slice(1)) for (const [key, times] of sample.threads) latest.set(key, times);
  for (const [key, end] of latest) {
    const group = groupOf(key, roles);
    const start = first.threads.get(key) ?? { ranNs: 0, waitedNs: 0 };
    ranNs[group] += Math.max(0, end.ranNs - start.ranNs);
    waitedNs[group] += Math.max(0, end.waitedNs - start.waitedNs);
  }
  const share = (group: CpuGroup): CpuShare =>
    ranNs[group] === 0 && waitedNs[group] === 0
      ? EMPTY_SHARE
      : { ranMs: roundMs(ranNs[group] / 1e6), waitedMs: roundMs(waitedNs[group] / 1e6) };
  const sampledRanMs = Object.values(ranNs).reduce((sum, ns) => sum + ns, 0) / 1e6;
  const processesMs = (last.machine.processes - first.machine.processes) * CLOCK_TICK_MS;
  return {
    sampledMs: roundMs(last.atMs - first.atMs),
    runtimeMain: share('runtimeMain'),
    runtimeHelpers: share('runtimeHelpers'),
    generator: share('generator'),
    benchOther: share('benchOther'),
    postgres: share('postgres'),
    otherRanMs: Math.max(0, Math.round(processesMs - sampledRanMs)),
    busiestOthers: busiestOthers(span),
    interruptsMs: (last.machine.interrupts - first.machine.interrupts) * CLOCK_TICK_MS,
    stealMs: (last.machine.steal - first.machine.steal) * CLOCK_TICK_MS,
  };
}

const BUSIEST_REPORTED = 3;

function busiestOthers(span: readonly Sample[]): OtherProcess[] {
  const first = span[0] as Sample;
  const latest = new Map<number, ProcessTicks>();
  for (const sample of span.slice(1)) for (const [pid, process] of sample.others) latest.set(pid, process);
  const ran: OtherProcess[] = [];
  for (const [pid, end] of latest) {
    const start = first.others.get(pid);
    // A pid reused by a new process inside the span counts from zero.
    const ticks = end.ticks - (start?.startTicks === end.startTicks ? start.ticks : 0);
    if (ticks > 0) ran.push({ pid, name: end.name, ranMs: ticks * CLOCK_TICK_MS });
  }
  return ran.sort((a, b) => b.ranMs - a.ranMs).slice(0, BUSIEST_REPORTED);
}

function roundMs(ms: number): number {
  return Math.round(ms * 10) / 10;
}

function busiest(window: CpuWindow): string {
  if (window.busiestOthers.length === 0) return '';
  return ` (${window.busiestOthers.map((other) => `${other.name} ${other.ranMs}`).join(', ')})`;
}

/** One line for stderr: each group's ran/waited ms. */
export function formatCpuWindow(window: CpuWindow): string {
  const pair = (share: CpuShare) => `${share.ranMs}/${share.waitedMs}`;
  return (
    `over ${window.sampledMs} ms, ran/waited ms: runtime main ${pair(window.runtimeMain)}, ` +
    `runtime helpers ${pair(window.runtimeHelpers)}, generator ${pair(window.generator)}, ` +
    `bench other ${pair(window.benchOther)}, postgres ${pair(window.postgres)}; ` +
    `other ran ~${window.otherRanMs}${busiest(window)}, interrupts ${window.interruptsMs}, steal ${window.stealMs}`
  );
}
