// Builds what the container runs: the `gatehouse` CLI bundled with esbuild into runtime/dist/gatehouse.mjs (plus
// lazily loaded chunks in runtime/dist/chunks/), from the TypeScript source and its dependencies.
//   npm run build:runtime        (tsx runtime/bundle.ts; runtime/Dockerfile runs it with Node 24's type stripping)
//   node runtime/bundle.ts --runtime-packages <dir>   also copies RUNTIME_PACKAGES there (the image's node_modules)
//
// Why a bundle: Node resolves, reads and links each ES module separately; tsc's unbundled output had ~560 of them, and
// they took 0.8-1.2 s of the cold start to /readyz on the 2-core CI machine. One file starts in about half of that.
// Erasable TypeScript only (no enums, namespaces or parameter properties), so the image's build stage runs it with node
// alone, without tsx.
import { cp, rm } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';

const runtimeDir = dirname(fileURLToPath(import.meta.url));
const repositoryRoot = join(runtimeDir, '..');
export const BUNDLE_DIR = join(runtimeDir, 'dist');
/** The bundled CLI entry that runtime/bin/gatehouse.js runs when there is no source beside it (the image). */
export const BUNDLE_ENTRY = join(BUNDLE_DIR, 'gatehouse.mjs');

/**
 * Left to Node's resolver at run time, from node_modules: better-sqlite3 and argon2 load a compiled addon by path, and
 * pg's optional native binding is not installed.
 */
const EXTERNAL: readonly string[] = ['better-sqlite3', 'argon2', 'pg-native'];

/**
 * All the bundle loads from node_modules at run time, so all of node_modules the image ships: better-sqlite3 finds its
 * compiled addon through `bindings`, which needs `file-uri-to-path`. Its other dependency, prebuild-install, runs only
 * at install. argon2 finds its addon through `node-gyp-build` and reads PHC strings with `@phc/format`; its other
 * dependencies (cross-env, node-addon-api) serve only its install. pg-native is optional and not installed (pg loads it
 * only when asked for `pg.native`). test/container/bundle.test.ts runs the bundle with these packages and nothing else.
 */
export const RUNTIME_PACKAGES: readonly string[] = [
  'better-sqlite3',
  'bindings',
  'file-uri-to-path',
  'argon2',
  '@phc/format',
  'node-gyp-build',
];

export interface BundleResult {
  /** Files written, relative to the output directory (the entry, chunks and source maps). */
  readonly outputs: readonly string[];
  /** Files bundled, relative to the repository root. */
  readonly inputs: readonly string[];
}

/**
 * Bundles the runtime CLI into `outDir` (default `BUNDLE_DIR`), replacing what was there. Externals resolve from
 * node_modules above `outDir`, so it must lie inside the repository (or the image's /build).
 */
export async function bundleRuntime(outDir: string = BUNDLE_DIR): Promise<BundleResult> {
  await rm(outDir, { recursive: true, force: true });
  // The admin console's browser script, built with the options the runtime uses from source, goes into the bundle
  // as a constant (runtime/src/admin/console-bundle.ts): the image serves it without esbuild or a copy step.
  const consoleBundle = pathToFileURL(join(runtimeDir, 'src/admin/console-bundle.ts')).href;
  const { buildConsoleScript } = (await import(consoleBundle)) as typeof import('./src/admin/console-bundle.js');
  const result = await build({
    absWorkingDir: repositoryRoot,
    entryPoints: { gatehouse: join(runtimeDir, 'src/cli/main.ts') },
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    // Dynamic imports (@azure/identity, loaded only with a managed identity) stay separate chunks, loaded on use.
    splitting: true,
    format: 'esm',
    platform: 'node',
    // The oldest Node the runtime supports (package.json engines); the image runs Node 24.
    target: 'node20.19',
    external: [...EXTERNAL],
    define: { GATEHOUSE_CONSOLE_SCRIPT: JSON.stringify(buildConsoleScript()) },
    // CommonJS dependencies call require() for Node built-ins; an ES module has none of its own.
    banner: {
      js: "import { createRequire as __gatehouseRequire } from 'node:module';\nconst require = __gatehouseRequire(import.meta.url);",
    },
    // Not minified: stack traces keep readable names. Source maps without sources: run with --enable-source-maps
    // and stack traces name runtime/src/... files and lines.
    sourcemap: 'linked',
    sourcesContent: false,
    legalComments: 'eof',
    metafile: true,
    logLevel: 'warning',
  });
  return {
    outputs: Object.keys(result.metafile.outputs).map((file) => relative(outDir, join(repositoryRoot, file))),
    inputs: Object.keys(result.metafile.inputs),
  };
}

/** Copies RUNTIME_PACKAGES from `nodeModulesDir` into `outDir`, replacing what was there. */
export async function copyRuntimePackages(nodeModulesDir: string, outDir: string): Promise<void> {
  await rm(outDir, { recursive: true, force: true });
  for (const name of RUNTIME_PACKAGES) {
    await cp(join(nodeModulesDir, name), join(outDir, name), { recursive: true, errorOnExist: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { 'runtime-packages': { type: 'string' } } });
  const { outputs } = await bundleRuntime();
  process.stdout.write(`bundled the runtime: ${outputs.filter((file) => !file.endsWith('.map')).join(', ')}\n`);
  const packagesDir = values['runtime-packages'];
  if (packagesDir !== undefined) {
    await copyRuntimePackages(join(repositoryRoot, 'node_modules'), packagesDir);
    process.stdout.write(`copied ${RUNTIME_PACKAGES.join(', ')} to ${packagesDir}\n`);
  }
}
