import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { LoadResult } from './load.js';
import { type PacedLoadOptions, runPacedLoad } from './paced-load.js';

/**
 * `runPacedLoad` on a worker thread. The generator measures each request from when it was due, so a pause of its own
 * counts against the server; on the bench's main thread, whose heap holds the seeding's credentials and the earlier
 * runs' results, garbage-collection pauses of up to 25 ms fell inside fixed-rate windows. A worker has a heap of its
 * own, small, and the main thread's collector never stops it.
 */
export function runPacedLoadOnWorker(options: PacedLoadOptions): Promise<LoadResult> {
  // The worker starts from plain JavaScript that registers tsx, then loads this file (TypeScript) in the worker.
  const bootstrap = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(import.meta.url)}); })`;
  const worker = new Worker(bootstrap, { eval: true, workerData: { pacedLoad: options } });
  return new Promise((resolve, reject) => {
    let result: LoadResult | undefined;
    worker.on('message', (message: LoadResult) => {
      result = message;
    });
    worker.once('error', reject);
    worker.once('exit', (code) =>
      result ? resolve(result) : reject(new Error(`the fixed-rate load worker exited with ${code} and no result`)),
    );
  });
}

// Only in the worker started above: other worker threads (a test runner's) may import this module too.
const job = isMainThread ? undefined : (workerData as { pacedLoad?: PacedLoadOptions } | null)?.pacedLoad;
if (job && parentPort) parentPort.postMessage(await runPacedLoad(job));
