import { describe, expect, it } from 'vitest';
import {
  generateManifests,
  renderPermissionFiles,
  STALE_MESSAGE,
  staleFiles,
} from '../../tools/permissions/generate.js';

describe('committed permission manifest', () => {
  it('matches what the stacks synthesize', () => {
    const stale = staleFiles(process.cwd(), renderPermissionFiles(generateManifests()));
    expect(stale, `${STALE_MESSAGE} Stale: ${stale.join(', ')}`).toEqual([]);
  });
});
