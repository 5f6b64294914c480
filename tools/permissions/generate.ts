import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app.js';
import { BOOTSTRAP_STACK_NAME } from '../../stacks/bootstrap-stack.js';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { buildManifest, type PermissionManifest, serializeManifest } from './manifest.js';
import { renderPermissionsMarkdown } from './render-markdown.js';
import type { SynthesizedStack } from './synthesized-stack.js';

/** Where the committed files live, relative to the repository root. */
export const MANIFEST_DIR = 'permissions';
export const PERMISSIONS_MARKDOWN = 'PERMISSIONS.md';

/** The stacks that get a manifest: bootstrap (the deployer and planner) first, then each environment. */
export function manifestStackNames(envs: readonly EnvironmentSettings[]): string[] {
  return [BOOTSTRAP_STACK_NAME, ...envs.map((settings) => settings.name)];
}

/** Synthesizes the app (validations and aspects included) and returns each stack's JSON by stack name. */
export function synthesizeEnvironments(envs: readonly EnvironmentSettings[]): Map<string, SynthesizedStack> {
  const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-permissions-'));
  try {
    buildApp(envs, outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    const stacks = new Map<string, SynthesizedStack>();
    for (const name of manifestStackNames(envs)) {
      const entry = manifest.stacks[name];
      if (!entry) throw new Error(`stack ${name} was not synthesized`);
      stacks.set(name, JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')));
    }
    return stacks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function generateManifests(envs: readonly EnvironmentSettings[] = environments): PermissionManifest[] {
  const stacks = synthesizeEnvironments(envs);
  return manifestStackNames(envs).map((name) => buildManifest(name, stacks.get(name) as SynthesizedStack));
}

/** The files `npm run permissions` writes, as path (relative to the root) -> content. */
export function renderPermissionFiles(manifests: readonly PermissionManifest[]): Map<string, string> {
  const files = new Map<string, string>();
  for (const manifest of manifests)
    files.set(`${MANIFEST_DIR}/${manifest.environment}.json`, serializeManifest(manifest));
  files.set(PERMISSIONS_MARKDOWN, renderPermissionsMarkdown(manifests));
  return files;
}

export function writePermissionFiles(rootDir: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(join(rootDir, MANIFEST_DIR), { recursive: true });
  for (const [path, content] of files) writeFileSync(join(rootDir, path), content);
}

/** Paths whose committed content differs from what the code synthesizes (missing files count as stale). */
export function staleFiles(rootDir: string, files: ReadonlyMap<string, string>): string[] {
  return [...files]
    .filter(([path, content]) => {
      const full = join(rootDir, path);
      return !existsSync(full) || readFileSync(full, 'utf8') !== content;
    })
    .map(([path]) => path);
}

export const STALE_MESSAGE =
  'The committed permission manifest is stale: run `npm run permissions` and commit permissions/ and PERMISSIONS.md.';
