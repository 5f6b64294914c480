import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Directory names never part of an image build context (mirrors the repository's .dockerignore). */
const SKIPPED_DIRECTORIES = new Set(['node_modules', 'dist', '.git']);

/** What the runtime image build reads (see runtime/Dockerfile and .dockerignore), relative to the repository root. */
export const RUNTIME_CONTEXT_PATHS: readonly string[] = [
  'runtime/Dockerfile',
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'catalog',
  'runtime/package.json',
  'runtime/tsconfig.json',
  'runtime/bundle.ts',
  'runtime/src',
  'runtime/bin',
];

/**
 * SHA-256 over the relative path and bytes of every file under `paths` (files or directories, relative to
 * `contextDirectory`), in sorted order. It changes exactly when what the image build reads changes, so it is the
 * image tag: `npm run deploy` builds and pushes only a tag the registry does not have yet.
 * Missing paths throw: a typo would otherwise freeze the hash and silently skip rebuilds.
 */
export function hashBuildContext(contextDirectory: string, paths: readonly string[]): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  for (const path of paths) {
    const full = join(contextDirectory, path);
    if (!existsSync(full))
      throw new Error(`build context path ${JSON.stringify(path)} does not exist under ${contextDirectory}`);
    collect(full, files);
  }
  for (const file of [...new Set(files)].sort()) {
    hash.update(relative(contextDirectory, file).split(sep).join('/'));
    hash.update('\0');
    hash.update(readFileSync(file));
    hash.update('\0');
  }
  return hash.digest('hex');
}

function collect(path: string, files: string[]): void {
  if (!statSync(path).isDirectory()) {
    files.push(path);
    return;
  }
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    if (entry.isDirectory() && SKIPPED_DIRECTORIES.has(entry.name)) continue;
    if (entry.name.endsWith('.test.ts')) continue;
    collect(join(path, entry.name), files);
  }
}
