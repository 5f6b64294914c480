import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { BENCH_NODE_FLAGS, missingBenchNodeFlags } from '../../bench/bench-node-flags.js';

describe('the bench process node flags', () => {
  it('are on the node command line of `npm run bench`', () => {
    const scripts = (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
    const words = (scripts.bench ?? '').split(/\s+/);
    expect(words[0]).toBe('node');
    for (const flag of BENCH_NODE_FLAGS) expect(words.slice(0, words.indexOf('bench/run.ts'))).toContain(flag);
  });

  it('names the flags a process started without them lacks', () => {
    expect(missingBenchNodeFlags(['--import', 'tsx'])).toEqual(['--no-memory-reducer']);
    expect(missingBenchNodeFlags(['--no-memory-reducer', '--import', 'tsx'])).toEqual([]);
  });
});
