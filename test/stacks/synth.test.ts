import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../stacks/app.js';
import { environments } from '../../stacks/environments.js';
import { staleConstructsBuild } from '../package/constructs-build.js';

/** Where stacks/synth.mjs writes its bundle for the length of one run. */
const SYNTH_CACHE_DIR = 'node_modules/.cache/gatehouse-synth';

/**
 * The bundles left behind. Only this file runs stacks/synth.mjs, one test after the other, so any is a leak; the folder
 * does not exist before the first successful run (a refused build writes nothing).
 */
const leftBundles = (): string[] => (existsSync(SYNTH_CACHE_DIR) ? readdirSync(SYNTH_CACHE_DIR) : []);

describe('stacks/main', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-synth-'));
  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('imports @gatehouse/constructs as a user does: its compiled build, through the workspace link', () => {
    const entry = createRequire(import.meta.url).resolve('@gatehouse/constructs/auth-platform');
    expect(entry).toBe(resolve('constructs/dist/constructs/auth-platform/index.js'));
    expect(staleConstructsBuild()).toBeUndefined();
  });

  it('synthesizes the bootstrap stack and one stack per environment with a manifest', () => {
    buildApp(environments, outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(Object.keys(manifest.stacks).sort()).toEqual(['bootstrap', 'dev', 'prod', 'staging']);
    const bootstrap = JSON.parse(readFileSync(join(outdir, manifest.stacks.bootstrap.synthesizedStackPath), 'utf8'));
    expect(Object.keys(bootstrap.provider).sort()).toEqual(['azuread', 'azurerm']);
    for (const name of ['dev', 'staging', 'prod']) {
      const stack = JSON.parse(readFileSync(join(outdir, manifest.stacks[name].synthesizedStackPath), 'utf8'));
      expect(Object.keys(stack.provider).sort()).toEqual(['azuread', 'azurerm', 'random', 'time']);
      expect(Object.keys(stack.resource.azurerm_container_app)).toHaveLength(1);
    }
  });

  it('runs as the cdktf app command from cdktf.json, synthesizing what the app builds in process', () => {
    const cdktf = JSON.parse(readFileSync('cdktf.json', 'utf8'));
    const out = mkdtempSync(join(tmpdir(), 'gatehouse-app-'));
    const expected = mkdtempSync(join(tmpdir(), 'gatehouse-app-expected-'));
    try {
      buildApp(environments, expected).synth();
      execFileSync('sh', ['-c', cdktf.app], { env: { ...process.env, CDKTF_OUTDIR: out }, stdio: 'pipe' });
      const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
      expect(Object.keys(manifest.stacks)).toHaveLength(environments.length + 1);
      // The app command bundles the stacks (stacks/synth.mjs): each stack must be byte for byte what the source builds,
      // paths derived from import.meta.url (the runtime image's build context) included.
      for (const name of Object.keys(manifest.stacks)) {
        const stackPath = manifest.stacks[name].synthesizedStackPath;
        expect(readFileSync(join(out, stackPath), 'utf8')).toBe(readFileSync(join(expected, stackPath), 'utf8'));
      }
      expect(leftBundles()).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
      rmSync(expected, { recursive: true, force: true });
    }
  });

  it('synthesizes byte-identical JSON from a checkout at another path', () => {
    const elsewhere = mkdtempSync(join(tmpdir(), 'gatehouse-other-checkout-'));
    const here = mkdtempSync(join(tmpdir(), 'gatehouse-app-here-'));
    const there = mkdtempSync(join(tmpdir(), 'gatehouse-app-there-'));
    try {
      for (const path of ['catalog', 'constructs', 'stacks', 'package.json', 'cdktf.json']) {
        cpSync(path, join(elsewhere, path), { recursive: true });
      }
      symlinkSync(resolve('node_modules'), join(elsewhere, 'node_modules'));
      execFileSync(process.execPath, ['stacks/synth.mjs'], {
        env: { ...process.env, CDKTF_OUTDIR: here },
        stdio: 'pipe',
      });
      execFileSync(process.execPath, ['stacks/synth.mjs'], {
        cwd: elsewhere,
        env: { ...process.env, CDKTF_OUTDIR: there },
        stdio: 'pipe',
      });
      for (const name of ['bootstrap', ...environments.map((env) => env.name)]) {
        const path = join('stacks', name, 'cdk.tf.json');
        const text = readFileSync(join(here, path), 'utf8');
        expect(readFileSync(join(there, path), 'utf8')).toBe(text);
        expect(text).not.toContain(process.cwd());
        expect(text).not.toContain(elsewhere);
      }
    } finally {
      for (const dir of [elsewhere, here, there]) rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a stack file that uses import.meta beyond .url, naming the file and line', () => {
    const fixture = 'test/stacks/fixtures/uses-import-meta-dirname.ts';
    const out = mkdtempSync(join(tmpdir(), 'gatehouse-app-'));
    try {
      const run = spawnSync(process.execPath, ['stacks/synth.mjs', fixture], {
        env: { ...process.env, CDKTF_OUTDIR: out },
        encoding: 'utf8',
      });
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('Only import.meta.url can be used here: the synthesis runs a bundle');
      expect(run.stderr).toContain(`${fixture}:3:`);
      expect(leftBundles()).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
