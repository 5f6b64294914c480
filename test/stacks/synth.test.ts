import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../stacks/app.js';
import { environments } from '../../stacks/environments.js';

describe('stacks/main', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('synthesizes one stack per environment with a manifest', () => {
    buildApp(environments, outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['dev', 'prod', 'staging']);
    for (const name of ['dev', 'staging', 'prod']) {
      const stack = JSON.parse(readFileSync(join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8'));
      expect(Object.keys(stack.provider).sort()).toEqual(['azuread', 'azurerm', 'docker', 'random', 'time']);
      expect(Object.keys(stack.resource.azurerm_container_app)).toHaveLength(1);
    }
  });

  it('runs as the cdktf app command from cdktf.json', () => {
    const cdktf = JSON.parse(readFileSync('cdktf.json', 'utf8'));
    const out = mkdtempSync(join(tmpdir(), 'gatehouse-app-'));
    try {
      execFileSync('sh', ['-c', cdktf.app], { env: { ...process.env, CDKTF_OUTDIR: out }, stdio: 'pipe' });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(Object.keys(manifest.stacks)).toHaveLength(environments.length);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
