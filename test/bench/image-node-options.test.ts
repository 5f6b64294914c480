import { describe, expect, it } from 'vitest';
import { imageNodeOptions } from '../../bench/image-node-options.js';

describe('imageNodeOptions', () => {
  it("reads the runtime image's NODE_OPTIONS from its Dockerfile", () => {
    expect(imageNodeOptions()).toMatch(/^--max-semi-space-size=\d+$/);
  });

  it('reads the value from a continuation line of a multi-line ENV', () => {
    const dockerfile =
      'FROM base\nENV NODE_ENV=production \\\n    NODE_OPTIONS="--max-semi-space-size=8"\nCMD ["serve"]\n';
    expect(imageNodeOptions(dockerfile)).toBe('--max-semi-space-size=8');
  });

  it('fails naming the Dockerfile when it sets no NODE_OPTIONS', () => {
    expect(() => imageNodeOptions('FROM base\nENV NODE_ENV=production\n')).toThrow(
      'runtime/Dockerfile sets no NODE_OPTIONS="..." in an ENV instruction',
    );
  });
});
