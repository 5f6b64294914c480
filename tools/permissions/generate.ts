import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '../../stacks/app.js';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { buildManifest, type PermissionManifest, serializeManifest } from './manifest.js';
import { renderPermissionsMarkdown } from './render-markdown.js';
import type { SynthesizedStack } from './synthesized-stack.js';

/** Where the committed files live, relative to the repository root. */
export const MANIFEST_DIR = 'permissions';
export const PERMISSIONS_MARKDOWN = 'PERMISSIONS.md';

/** Synthesizes every environment (validations and aspects included) and returns each stack's JSON. */
export function synthesizeEnvironments(envs: readonly EnvironmentSettings[]): Map<string, SynthesizedStack> {
  const outdir = mkdtempSync(join(tmpdir(), 'gatehouse-permissions-'));
  try {
    buildApp(envs, outdir).synth();
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8')) as {
      stacks: Record<string, { synthesizedStackPath: string }>;
    };
    const stacks = new Map<string, SynthesizedStack>();
    for (const settings of envs) {
      const entry = manifest.stacks[settings.name];
      if (!entry) throw new Error(`environment ${settings.name} was not synthesized`);
      stacks.set(settings.name, JSON.parse(readFileSync(join(outdir, entry.synthesizedStackPath), 'utf8')));
    }
    return stacks;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

export function generateManifests(envs: readonly EnvironmentSettings[] = environments): PermissionManifest[] {
  const stacks = synthesizeEnvironments(envs);
  return envs.map((settings) => buildManifest(settings.name, stacks.get(settings.name) as SynthesizedStack));
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
