import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_NODE_FLAGS, missingBenchNodeFlags } from '../../bench/bench-node-flags.js';
import { startChildServer } from '../../bench/child-server.js';

describe('the bench process node flags', () => {
  it('are on the node command line of `npm run bench`, which runs after its self-checks', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const [checks, measure] = (scripts.bench ?? '').split(' && ');
    expect(checks).toBe('vitest run --config bench/checks/vitest.config.ts');
    const words = (measure ?? '').split(/\s+/);
    expect(words[0]).toBe('node');
    for (const flag of BENCH_NODE_FLAGS) expect(words.slice(0, words.indexOf('bench/run.ts'))).toContain(flag);
  });

  it('names the flags a process started without them lacks', () => {
    expect(missingBenchNodeFlags(['--import', 'tsx'])).toEqual(['--no-memory-reducer']);
    expect(missingBenchNodeFlags(['--no-memory-reducer', '--import', 'tsx'])).toEqual([]);
  });

  it("are on the command line of the bench's child servers (the ceiling and the peer)", async () => {
    const server = await startChildServer('bench/ceiling-server.ts');
    try {
      const argv = readFileSync(`/proc/${server.process.pid}/cmdline`, 'utf8').split('\0');
      for (const flag of BENCH_NODE_FLAGS)
        expect(argv.slice(0, argv.indexOf('bench/ceiling-server.ts'))).toContain(flag);
    } finally {
      await server.stop();
    }
  });
});
