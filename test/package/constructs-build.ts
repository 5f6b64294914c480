import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The repository root (vitest runs from it). */
export const ROOT = process.cwd();

/** The build configuration of the @gatehouse/constructs workspace, which writes constructs/dist. */
export const CONSTRUCTS_BUILD_CONFIG = 'constructs/tsconfig.build.json';

/**
 * Why constructs/dist is not what its sources compile to now, or undefined when it is. The stacks import the compiled
 * package and the package test packs it, so a stale build would test old code: `npm test` and `npm run typecheck`
 * build it first, a bare `vitest run` after an edit does not. Asks `tsc -b --dry`, the build's own up-to-date check,
 * instead of rebuilding here: a rebuild would rewrite files other test files are importing at the same time.
 */
export function staleConstructsBuild(): string | undefined {
  const tsc = join(ROOT, 'node_modules/.bin/tsc');
  const plan = execFileSync(tsc, ['-b', '--dry', CONSTRUCTS_BUILD_CONFIG], { cwd: ROOT, encoding: 'utf8' });
  if (!/would build project/.test(plan)) return undefined;
  return `constructs/dist is older than its sources (${plan.trim()}): run \`npm run build:constructs\``;
}
