import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS_PATH } from '../../runtime/src/http/metrics-listener.js';
import { startTestApp, type TestApp } from '../support/app.js';
import { type CliFacts, type Facts, headingAnchors, type Route } from './doc-check.js';

/**
 * What the documentation may name, derived from the code each time: the scripts of package.json, the CLI's commands
 * and options as runtime/src/cli/run.ts dispatches them, the environment variables the code reads, the repository's
 * files, and the routes of the runtime built in process.
 */

export const ROOT = process.cwd();

function read(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

function git(args: readonly string[], input?: string): string {
  return execFileSync('git', [...args], { cwd: ROOT, encoding: 'utf8', input, stdio: ['pipe', 'pipe', 'ignore'] });
}

/** Repository files: tracked ones and untracked ones git does not ignore. */
export function repositoryFiles(): string[] {
  return git(['ls-files', '--cached', '--others', '--exclude-standard', '-z'])
    .split('\0')
    .filter((file) => file !== '' && existsSync(join(ROOT, file)));
}

export function packageScripts(): Set<string> {
  const manifest = JSON.parse(read('package.json')) as { scripts?: Record<string, string> };
  return new Set(Object.keys(manifest.scripts ?? {}));
}

/**
 * The CLI as runtime/src/cli/run.ts dispatches it: `command === '<x>'` and `case '<x>':` are commands, a command
 * whose case passes `sub` to a handler takes the subcommands that handler tests as `sub === '<y>'` (the handler is
 * found in run.ts or in the module run.ts imports it from; without one, every `sub === '<y>'` of run.ts), and the
 * options are those of its `parseArgs` call.
 */
export function cliFacts(
  source = read('runtime/src/cli/run.ts'),
  readImport = (specifier: string) => read(join('runtime/src/cli', specifier.replace(/\.js$/, '.ts'))),
): CliFacts {
  const commands = new Map<string, Set<string>>();
  const subcommandsIn = (text: string) =>
    new Set([...text.matchAll(/\bsub === '([a-z][\w-]*)'/g)].map((match) => match[1] as string));
  for (const match of source.matchAll(/\bcommand === '([a-z][\w-]*)'/g)) commands.set(match[1] as string, new Set());
  for (const match of source.matchAll(/\bcase '([a-z][\w-]*)':([\s\S]*?)(?=\bcase '|\bdefault:|$)/g)) {
    const handler = /\b(\w+)\(\s*sub\b/.exec(match[2] ?? '')?.[1];
    const body = handler === undefined ? undefined : (handlerBody(source, handler, readImport) ?? source);
    commands.set(match[1] as string, body === undefined ? new Set() : subcommandsIn(body));
  }
  const options = new Set<string>();
  const block = /options:\s*\{([\s\S]*?)\n\s*\},?\n/.exec(source)?.[1] ?? '';
  for (const match of block.matchAll(/(\w+):\s*\{\s*type:\s*'(?:string|boolean)'(?:,\s*short:\s*'(\w)')?/g)) {
    options.add(`--${match[1]}`);
    if (match[2]) options.add(`-${match[2]}`);
  }
  return { commands, options };
}

/** The text of function `name` (to the next top-level function), in `source` or in the module it is imported from. */
function handlerBody(source: string, name: string, readImport: (specifier: string) => string): string | undefined {
  const own = functionText(source, name);
  if (own !== undefined) return own;
  const specifier = new RegExp(`import \\{[^}]*\\b${name}\\b[^}]*\\} from '([^']+)'`).exec(source)?.[1];
  return specifier === undefined ? undefined : functionText(readImport(specifier), name);
}

function functionText(source: string, name: string): string | undefined {
  const start = source.search(new RegExp(`^(?:export )?(?:async )?function ${name}\\b`, 'm'));
  if (start === -1) return undefined;
  const rest = source.slice(start + 1);
  const end = rest.search(/^(?:export )?(?:async )?function /m);
  return end === -1 ? rest : rest.slice(0, end);
}

/** Named readers of environment variables, and how to find the names each reads in its code. */
const ENV_READERS: ReadonlyArray<{ reader: string; files: RegExp; names: RegExp }> = [
  { reader: 'the runtime (npm run dev)', files: /^runtime\/src\/dev\/.*\.ts$/, names: /\benv\.([A-Z][A-Z0-9_]*)/g },
  { reader: 'the bench', files: /^bench\/.*\.ts$/, names: /process\.env\.([A-Z][A-Z0-9_]*)/g },
  { reader: 'the test suites', files: /^test\/.*\.ts$/, names: /process\.env\.([A-Z][A-Z0-9_]*)/g },
  { reader: 'runtime/Dockerfile', files: /^runtime\/Dockerfile$/, names: /^(?:ARG|ENV)?\s*([A-Z][A-Z0-9_]*)=/gm },
  { reader: 'scripts/image', files: /^scripts\/.*\.sh$/, names: /\$\{?([A-Z][A-Z0-9_]*)/g },
  { reader: '.ci/run', files: /^\.ci\/run$/, names: /\bexport ([A-Z][A-Z0-9_]*)=/g },
  { reader: 'the npm scripts', files: /^package\.json$/, names: /"[^"\n]*?\b([A-Z][A-Z0-9_]*)=[^"\n]*"/g },
  { reader: 'the GitHub workflows', files: /^\.github\/workflows\/.*\.ya?ml$/, names: /\bvars\.([A-Z][A-Z0-9_]*)/g },
];

/** Variables that programs other than gatehouse's read, named with their reader. */
const OTHER_PROGRAMS: Readonly<Record<string, string>> = {
  NODE_OPTIONS: 'node',
  DOCKER_HOST: 'the docker provider (the Docker engine client)',
};

/**
 * Every environment variable the code reads, mapped to its first reader: the runtime's config schema, then the other
 * readers in their order.
 */
export function environmentReaders(files: readonly string[]): Map<string, string> {
  const readers = new Map<string, string>();
  const add = (name: string, reader: string) => {
    if (!readers.has(name)) readers.set(name, reader);
  };
  const config = read('runtime/src/config.ts');
  const schema = /const envSchema = z\.object\(\{([\s\S]*?)\n\}\);/.exec(config)?.[1] ?? '';
  for (const match of schema.matchAll(/^\s+([A-Z][A-Z0-9_]*):/gm)) add(match[1] as string, 'runtime/src/config.ts');
  for (const match of config.matchAll(/\benv\.([A-Z][A-Z0-9_]*)/g)) add(match[1] as string, 'runtime/src/config.ts');
  for (const { reader, files: pattern, names } of ENV_READERS) {
    for (const file of files.filter((path) => pattern.test(path))) {
      for (const match of read(file).matchAll(names)) add(match[1] as string, reader);
    }
  }
  for (const [name, reader] of Object.entries(OTHER_PROGRAMS)) add(name, reader);
  return readers;
}

/** UPPER_SNAKE_CASE constants the code declares (`ROUTE_LAYER_CREDENTIALS`, `STORE_DIALECTS`, `RUNTIME_PACKAGES`, ...). */
export function codeConstants(files: readonly string[]): Set<string> {
  const constants = new Set<string>();
  for (const file of files.filter((path) => /\.(?:ts|mts|mjs|js)$/.test(path) && !path.startsWith('test/docs/'))) {
    for (const match of read(file).matchAll(/\b(?:const|let)\s+([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g)) {
      constants.add(match[1] as string);
    }
  }
  return constants;
}

/** An Express 5 route path as route segments: `:id` -> `{}`, `{*rest}` or `*rest` -> `**`. */
export function routeSegments(path: string): string[] {
  return path
    .replace(/\/+$/, '')
    .split('/')
    .slice(1)
    .map((segment) => {
      if (/^(?:\{\*\w+\}|\*\w*)$/.test(segment)) return '**';
      if (/^(?::\w+|\{\w+\})$/.test(segment)) return '{}';
      return segment;
    });
}

interface ExpressLayer {
  readonly route?: { readonly path: string | string[]; readonly stack: ReadonlyArray<{ readonly method?: string }> };
}

const ALL_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];

/**
 * The routes of a running app: its Express router's routes (fast routes are mounted there too), /openapi.json, and
 * the metrics listener's one route (METRICS_PORT).
 */
export async function servedRoutes(app: TestApp): Promise<Route[]> {
  const routes: Route[] = [{ method: 'GET', segments: routeSegments(METRICS_PATH) }];
  const stack = (app.runtime.app.router as unknown as { stack: readonly ExpressLayer[] }).stack;
  for (const layer of stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    const methods = layer.route.stack.map((handler) => handler.method?.toUpperCase());
    for (const path of paths) {
      for (const method of methods.includes(undefined) ? ALL_METHODS : (methods as string[])) {
        routes.push({ method, segments: routeSegments(path) });
      }
    }
  }
  const document = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as {
    paths: Record<string, Record<string, unknown>>;
  };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const method of Object.keys(operations))
      routes.push({ method: method.toUpperCase(), segments: routeSegments(path) });
  }
  return routes;
}

/**
 * The runtime as `gatehouse serve` runs it, on SQLite, with browser sign-in configured so that its routes are
 * registered too (the issuer is only contacted when someone signs in).
 */
export function startDocumentedApp(): Promise<TestApp> {
  return startTestApp({
    dialect: 'sqlite',
    env: {
      OIDC_ISSUER: 'http://127.0.0.1:9/idp',
      OIDC_CLIENT_ID: 'docs',
      OIDC_CLIENT_SECRET: 'docs-secret',
      // Routes that exist only when turned on are documented too.
      LOCAL_LOGIN_ENABLED: 'true',
    },
  });
}

/** Whether git would ignore `path` (a generated output such as `runtime/dist/` or `cdktf.out/`). */
function ignoredByGit(path: string): boolean {
  try {
    git(['check-ignore', '--quiet', '--no-index', path]);
    return true;
  } catch {
    return false;
  }
}

export async function collectFacts(app: TestApp): Promise<Facts> {
  const files = repositoryFiles();
  const anchors = new Map<string, Set<string> | undefined>();
  return {
    scripts: packageScripts(),
    cli: cliFacts(),
    envReaders: environmentReaders(files),
    codeConstants: codeConstants(files),
    files,
    exists: (path) => existsSync(join(ROOT, path)),
    ignored: ignoredByGit,
    routes: await servedRoutes(app),
    anchorsOf: (path) => {
      if (!anchors.has(path)) {
        const markdown = path.endsWith('.md') && existsSync(join(ROOT, path)) ? read(path) : undefined;
        anchors.set(path, markdown === undefined ? undefined : headingAnchors(markdown));
      }
      return anchors.get(path);
    },
  };
}
