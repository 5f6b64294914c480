// The admin console's browser script: the TypeScript modules in ./console/, bundled by esbuild into one classic
// script. Erasable TypeScript only: runtime/bundle.ts loads this file with Node's type stripping in the image build.
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { BuildOptions } from 'esbuild';

/** Entry of the console's script. */
export const CONSOLE_ENTRY = fileURLToPath(new URL('./console/main.ts', import.meta.url));

/**
 * The esbuild options of the console script, used both at start-up (tests, `npm run dev`) and by runtime/bundle.ts
 * (the image), so every way of running the runtime serves the same bytes. An IIFE (a classic script: the page loads
 * it with `defer`) in strict mode, not minified (readable in the browser's tools), no source map, no external files.
 */
export const CONSOLE_BUILD_OPTIONS = {
  entryPoints: [CONSOLE_ENTRY],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  charset: 'utf8',
  legalComments: 'none',
  logLevel: 'silent',
} as const satisfies BuildOptions;

/**
 * Set by runtime/bundle.ts (esbuild `define`) to the script it built: the image carries the script inside its one
 * bundle and never needs esbuild. Undefined when the runtime runs from source.
 */
declare const GATEHOUSE_CONSOLE_SCRIPT: string | undefined;

let built: string | undefined;

/** The console script: the one built into the bundle, or else built from source once per process. */
export function consoleScript(): string {
  if (typeof GATEHOUSE_CONSOLE_SCRIPT === 'string') return GATEHOUSE_CONSOLE_SCRIPT;
  built ??= buildConsoleScript();
  return built;
}

/** Bundles ./console/main.ts with esbuild (a development dependency, loaded only here). */
export function buildConsoleScript(): string {
  let esbuild: typeof import('esbuild');
  try {
    esbuild = createRequire(import.meta.url)('esbuild') as typeof import('esbuild');
  } catch (error) {
    throw new Error(
      'The admin console script is built with esbuild, which is not installed: run `npm ci` (development dependencies) or run the bundle `npm run build:runtime` makes',
      { cause: error },
    );
  }
  const result = esbuild.buildSync(CONSOLE_BUILD_OPTIONS);
  const [output] = result.outputFiles;
  if (!output) throw new Error(`esbuild wrote nothing for ${CONSOLE_ENTRY}`);
  return output.text;
}
