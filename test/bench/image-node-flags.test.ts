import { describe, expect, it } from 'vitest';
import { imageNodeFlags } from '../../bench/image-node-flags.js';

describe('imageNodeFlags', () => {
  it("reads the node flags of the runtime image's ENTRYPOINT from its Dockerfile", () => {
    expect(imageNodeFlags()).toEqual(['--max-semi-space-size=32', '--min-semi-space-size=32', '--no-memory-reducer']);
  });

  it('reads an ENTRYPOINT continued over lines, and one without flags', () => {
    const continued =
      'FROM base\nENTRYPOINT ["node", "--max-semi-space-size=8", \\\n    "/app/cli.js"]\nCMD ["serve"]\n';
    expect(imageNodeFlags(continued)).toEqual(['--max-semi-space-size=8']);
    expect(imageNodeFlags('FROM base\nENTRYPOINT ["node", "/app/cli.js"]\n')).toEqual([]);
  });

  it('fails naming the Dockerfile when the ENTRYPOINT is missing, not exec form or not node', () => {
    expect(() => imageNodeFlags('FROM base\nCMD ["serve"]\n')).toThrow(
      'runtime/Dockerfile has no exec-form ENTRYPOINT ["node", ...]',
    );
    expect(() => imageNodeFlags('FROM base\nENTRYPOINT node /app/cli.js\n')).toThrow('no exec-form ENTRYPOINT');
    expect(() => imageNodeFlags('FROM base\nENTRYPOINT ["node", 3]\n')).toThrow('not a JSON array of strings');
    expect(() => imageNodeFlags('FROM base\nENTRYPOINT ["deno", "/app/cli.js"]\n')).toThrow(
      "runs 'deno', expected 'node'",
    );
    expect(() => imageNodeFlags('FROM base\nENTRYPOINT ["node", "--jitless"]\n')).toThrow('names no script');
  });
});
