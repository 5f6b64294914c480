/**
 * V8 flags the bench process itself runs with; package.json's `bench` script passes them on node's command line (Node
 * refuses them in NODE_OPTIONS). The ceiling and the peer get them too (child-server.ts).
 *
 * `--no-memory-reducer`: V8's memory reducer ran heap-shrinking full collections in each fixed-rate generator worker
 * about 8, 8.6 and 9.2 s after the worker started, 2-14 ms each (--trace-gc: "Mark-Compact (reduce)"), because the
 * worker's heap is small and barely grows. The generator counts its own pauses against the server, and the slowest
 * quarter-second of most fixed-rate windows fell 7-7.5 s in; with the flag those collections and that hump are gone.
 * The main thread's ran one about 100 s after the seeding's collections (27 ms), which put it, like the runtime's
 * (runtime/Dockerfile), in the same fixed-rate repetition of every run.
 */
export const BENCH_NODE_FLAGS: readonly string[] = ['--no-memory-reducer'];

/** The bench flags missing from a node process's `execArgv`. */
export function missingBenchNodeFlags(execArgv: readonly string[] = process.execArgv): string[] {
  return BENCH_NODE_FLAGS.filter((flag) => !execArgv.includes(flag));
}
