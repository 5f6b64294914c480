import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { environments } from '../../stacks/environments.js';
import {
  generateManifests,
  MANIFEST_DIR,
  PERMISSIONS_MARKDOWN,
  renderPermissionFiles,
  STALE_MESSAGE,
  staleFiles,
  writePermissionFiles,
} from '../../tools/permissions/generate.js';

describe('committed permission manifest', () => {
  it('matches what the stacks synthesize', () => {
    const files = renderPermissionFiles(generateManifests());
    // One manifest per stack (bootstrap and each environment) plus the Markdown view, so "nothing stale" means every
    // file was compared.
    expect([...files.keys()].sort()).toEqual(
      [
        `${MANIFEST_DIR}/bootstrap.json`,
        ...environments.map((env) => `${MANIFEST_DIR}/${env.name}.json`),
        PERMISSIONS_MARKDOWN,
      ].sort(),
    );
    const stale = staleFiles(process.cwd(), files);
    expect(stale, `${STALE_MESSAGE} Stale: ${stale.join(', ')}`).toEqual([]);
  });

  it('reports a changed and a missing file as stale (the drift check can fail)', () => {
    const root = mkdtempSync(join(tmpdir(), 'gatehouse-drift-'));
    try {
      const files = new Map([
        [`${MANIFEST_DIR}/a.json`, '{"a":1}\n'],
        [`${MANIFEST_DIR}/b.json`, '{"b":1}\n'],
      ]);
      writePermissionFiles(root, files);
      expect(staleFiles(root, files)).toEqual([]);
      const changed = new Map([
        [`${MANIFEST_DIR}/a.json`, '{"a":2}\n'],
        [`${MANIFEST_DIR}/b.json`, '{"b":1}\n'],
        [`${MANIFEST_DIR}/c.json`, '{"c":1}\n'],
      ]);
      expect(staleFiles(root, changed)).toEqual([`${MANIFEST_DIR}/a.json`, `${MANIFEST_DIR}/c.json`]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
