// The cdktf app command (cdktf.json `app`): bundles stacks/main.ts and the repository's own TypeScript it imports with
// esbuild, then runs the bundle with plain node. Packages stay external and load from node_modules as usual, the
// constructs too: `@gatehouse/constructs` is the workspace's compiled build (constructs/dist), as a user installs it.
//
// Why not `tsx stacks/main.ts`: tsx costs ~0.3 s to start, sends every import through its loader thread, and turns
// source maps on, so each of cdktf's tokens (it captures a full stack trace for every one) maps its frames through the
// inline source maps of cdktf's and the providers' files. On a 2-core development machine that took the synthesis of
// all environments to 1.8-2.1 s; the bundle runs in about half of that and synthesizes the same JSON. Plain JavaScript
// so that node runs it without a loader.
//
// Stack traces name the bundle's lines (not minified; each file's code follows a `// <path>` comment). For the .ts
// positions instead, run with NODE_OPTIONS=--enable-source-maps: the bundle carries an inline source map.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';

const repositoryRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The app to run, relative to the repository root: stacks/main.ts unless a test names another. */
const entry = process.argv[2] ?? 'stacks/main.ts';

/** `source` with its comments blanked out, every other character where it was (a `//` inside a string blanks too). */
function blankComments(source) {
  return source.replace(/\/\*[\s\S]*?\*\/|\/\/[^\n]*/g, (comment) => comment.replace(/[^\n]/g, ' '));
}

/**
 * Keeps `import.meta.url` each file's own: bundled, it would be the bundle's, and stacks/gatehouse-stack.ts finds the
 * repository root (the runtime image's build context) from it. Any other use of `import.meta` (`dirname`, `resolve`)
 * fails the synthesis, rather than answering for the bundle's folder.
 */
const ownImportMetaUrl = {
  name: 'own-import-meta-url',
  setup(pluginBuild) {
    pluginBuild.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      const at = blankComments(source).search(/import\.meta(?!\.url)/);
      if (at !== -1) {
        const before = source.slice(0, at);
        const line = before.split('\n').length;
        const location = {
          file: relative(repositoryRoot, args.path),
          line,
          column: at - before.lastIndexOf('\n') - 1,
          length: 'import.meta'.length,
          lineText: source.split('\n')[line - 1],
        };
        return { errors: [{ text: 'Only import.meta.url can be used here: the synthesis runs a bundle', location }] };
      }
      return {
        contents: source.replaceAll('import.meta.url', JSON.stringify(pathToFileURL(args.path).href)),
        loader: 'ts',
      };
    });
  },
};

const { outputFiles } = await build({
  absWorkingDir: repositoryRoot,
  entryPoints: [join(repositoryRoot, entry)],
  bundle: true,
  write: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'external',
  plugins: [ownImportMetaUrl],
  sourcemap: 'inline',
  logLevel: 'warning',
}).catch((error) => {
  // esbuild has printed its errors (a syntax error, or the plugin's above) with their files and lines.
  if (Array.isArray(error?.errors)) process.exit(1);
  throw error;
});

// Inside node_modules (its usual cache folder), so that the bundle's package imports resolve from the repository's
// node_modules; a name of its own per run, so that concurrent syntheses do not share a file.
const cacheDir = join(repositoryRoot, 'node_modules/.cache/gatehouse-synth');
const bundle = join(cacheDir, `app-${process.pid}-${randomBytes(4).toString('hex')}.mjs`);
mkdirSync(cacheDir, { recursive: true });
writeFileSync(bundle, outputFiles[0].contents);
try {
  await import(pathToFileURL(bundle).href);
} finally {
  rmSync(bundle, { force: true });
}
