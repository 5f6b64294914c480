import { dirname, join, normalize } from 'node:path';

/**
 * Checks one Markdown document against facts derived from the code (code-facts.ts): every `npm run` script, every
 * `gatehouse` CLI command and option, every repository path, environment variable and HTTP endpoint written in it,
 * and every relative link. Pure: the facts come in, a list of problems (`<file>:<line>: <what is wrong>`) goes out.
 */

export interface CliFacts {
  /** Top-level commands; a command with subcommands maps to them, one without to an empty set. */
  readonly commands: ReadonlyMap<string, ReadonlySet<string>>;
  /** Long options (`--json`) and short ones (`-h`) the argument parser accepts. */
  readonly options: ReadonlySet<string>;
}

export interface Route {
  readonly method: string;
  /** Path segments; `{}` is one parameter segment, `**` the rest of the path (one or more segments). */
  readonly segments: readonly string[];
}

export interface Facts {
  readonly scripts: ReadonlySet<string>;
  readonly cli: CliFacts;
  /** Environment variables someone reads, and who: the runtime's config schema, npm run dev, the bench, ... */
  readonly envReaders: ReadonlyMap<string, string>;
  /** UPPER_SNAKE_CASE constants declared in code (a name in backticks may be one of those instead). */
  readonly codeConstants: ReadonlySet<string>;
  /** Repository files (tracked, and untracked but not ignored), relative to the root, `/`-separated. */
  readonly files: readonly string[];
  /** Whether a repository-relative path exists on disk. */
  readonly exists: (path: string) => boolean;
  /** Whether a repository-relative path is declared generated (matched by .gitignore). */
  readonly ignored: (path: string) => boolean;
  readonly routes: readonly Route[];
  /** Heading anchors of a Markdown file (repository-relative path), or undefined when it is not Markdown or absent. */
  readonly anchorsOf: (path: string) => ReadonlySet<string> | undefined;
}

export interface Line {
  readonly number: number;
  readonly text: string;
  /** Inside a fenced code block, and the block's language (`''` when none). */
  readonly fence: string | undefined;
}

const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'];
const SHELL_FENCES = new Set(['', 'sh', 'bash', 'shell', 'console', 'env', 'dotenv']);
const FILE_EXTENSION = /\.(?:ts|mts|js|mjs|cjs|json|md|sh|yml|yaml)$/;
/** An environment variable's shape: upper-case words joined by underscores. */
const ENV_NAME = /^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/;
const ENV_ASSIGNMENT = /^([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*)=(.*)$/;
/** Words about how the work was done, never about the project itself. */
const WORK_LORE =
  /\bissue #?\d+\b|\b(?:work )?session #?\d+\b(?! ?(?:days?|s|seconds?|minutes?|hours?)\b)|\bthis session\b|\bhelper \d|\bRabbitMQ\b|\bepmd\b|\bbeam\.smp\b|FINDINGS\.md/i;

/** The document's lines, each with the fenced code block it is in, if any. */
export function linesOf(markdown: string): Line[] {
  const lines: Line[] = [];
  let fence: string | undefined;
  markdown.split('\n').forEach((text, index) => {
    lines.push({ number: index + 1, text, fence });
    // An opening marker belongs to the prose before the block, a closing one to the block.
    const marker = /^\s*(?:```+|~~~+)\s*([\w-]*)/.exec(text);
    if (marker) fence = fence === undefined ? (marker[1] ?? '') : undefined;
  });
  return lines;
}

/** Inline code spans of a line outside code blocks. */
function codeSpans(text: string): string[] {
  return [...text.matchAll(/`([^`\n]+)`/g)].map((match) => (match[1] ?? '').trim());
}

/** GitHub's heading anchors of a Markdown document (duplicates get `-1`, `-2`, ...). */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const line of linesOf(markdown)) {
    if (line.fence !== undefined) continue;
    const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line.text);
    if (!heading) continue;
    const base = slug(heading[1] ?? '');
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

function slug(heading: string): string {
  return heading
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** Expands `{a,b}` alternatives (not `{param}`): `admin.{js,css}` -> `admin.js`, `admin.css`. */
function expandAlternatives(value: string): string[] {
  const group = /\{([^{}]*,[^{}]*)\}/.exec(value);
  if (!group) return [value];
  const [whole, inner = ''] = group;
  return inner.split(',').flatMap((choice) => expandAlternatives(value.replace(whole, choice.trim())));
}

/** A documented path as route segments: `{id}`, `:id` and `<id>` become `{}`; the query and a trailing slash go. */
export function documentedSegments(path: string): string[] {
  const bare = path.replace(/[?#].*$/, '').replace(/\/+$/, '');
  return bare
    .split('/')
    .slice(1)
    .map((segment) => (/^(?:\{[^}]*\}|:[\w]+|<[^>]*>)$/.test(segment) ? '{}' : segment));
}

function routeMatches(route: Route, method: string, segments: readonly string[]): boolean {
  if (route.method !== method && !(method === 'HEAD' && route.method === 'GET')) return false;
  for (let i = 0; i < route.segments.length; i++) {
    const expected = route.segments[i];
    if (expected === '**') return segments.length > i;
    const actual = segments[i];
    if (actual === undefined) return false;
    if (expected === '{}') {
      if (actual === '') return false;
      continue;
    }
    if (actual !== expected) return false;
  }
  return segments.length === route.segments.length;
}

/** Whether `method path` (as written in a document) is a route the runtime serves. */
export function isServed(routes: readonly Route[], method: string, path: string): boolean {
  return expandAlternatives(path).every((one) => {
    const segments = documentedSegments(one);
    return routes.some((route) => routeMatches(route, method, segments));
  });
}

/** A repository path pattern (`permissions/<env>.json`, `constructs/*`) as a regular expression over file paths. */
function pathPattern(path: string): RegExp {
  const escaped = path
    .replace(/[.+^$()|[\]\\]/g, '\\$&')
    .replace(/<[^>]*>/g, '[^/]+')
    .replace(/\*/g, '[^/]*');
  return new RegExp(`^${escaped}(?:/|$)`);
}

/** The `npm run` scripts and `gatehouse` CLI invocations of a line, prose or code. */
function commandProblems(text: string, facts: Facts, problem: (what: string) => void): void {
  for (const match of text.matchAll(/\bnpm run (?:--silent |-s )?([a-z][\w:.-]*)/g)) {
    const script = (match[1] ?? '').replace(/[.:]+$/, '');
    if (!facts.scripts.has(script)) problem(`npm run ${script}: package.json has no script "${script}"`);
  }
  const invocations = [...text.matchAll(/(?:\bnpx gatehouse|\bbin\/gatehouse\.js|`gatehouse)[ \t]+([^`#|&)"\n]*)/g)];
  for (const match of invocations) {
    const words = (match[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const [command, sub] = words;
    if (!command || command.startsWith('<') || command.startsWith('...')) continue;
    const subcommands = facts.cli.commands.get(command);
    if (subcommands === undefined) {
      problem(`gatehouse ${command}: the CLI has no command "${command}"`);
      continue;
    }
    if (subcommands.size > 0 && (sub === undefined || !subcommands.has(sub)) && !sub?.startsWith('<')) {
      problem(`gatehouse ${command} ${sub ?? ''}: "${command}" takes one of ${[...subcommands].join(', ')}`);
    }
    for (const word of words) {
      const option = word.replace(/^\[|\]$/g, '').replace(/=.*$/, '');
      if (/^--?[a-z]/.test(option) && !facts.cli.options.has(option)) {
        problem(`gatehouse ${command}: the CLI has no option "${option}"`);
      }
    }
  }
}

/** A `curl` call to the local runtime: its method (`-X`, else POST with a body, else GET) and path must be served. */
function curlProblems(command: string, facts: Facts, problem: (what: string) => void): void {
  const url = /https?:\/\/(?:localhost|127\.0\.0\.1)(?::\d+)?(\/[^\s'"\\]*)/.exec(command);
  if (!url) return;
  const explicit = /(?:-X|--request)\s+([A-Z]+)/.exec(command)?.[1];
  const method = explicit ?? (/\s(?:-d|--data[\w-]*|-F|--form)\s/.test(command) ? 'POST' : 'GET');
  const path = url[1] ?? '/';
  if (!isServed(facts.routes, method, path)) problem(`curl ${method} ${path}: the runtime serves no such route`);
}

/**
 * An inline code span: `METHOD /path` is an endpoint; `NAME=value` an environment variable (any name); `UPPER_SNAKE`
 * (two words or more) an environment variable or a code constant; anything shaped like a repository path a path.
 */
function spanProblems(span: string, docDir: string, facts: Facts, problem: (what: string) => void): void {
  const endpoint = new RegExp(`^(${HTTP_METHODS.join('|')}) (/\\S*)`).exec(span);
  if (endpoint) {
    const [, method = '', path = ''] = endpoint;
    if (!isServed(facts.routes, method, path)) problem(`${method} ${path}: the runtime serves no such route`);
    return;
  }
  const assignment = ENV_ASSIGNMENT.exec(span);
  if (assignment) {
    const name = assignment[1] ?? '';
    if (!facts.envReaders.has(name)) problem(`${name}: no code reads this environment variable`);
    return;
  }
  if (ENV_NAME.test(span)) {
    if (!facts.envReaders.has(span) && !facts.codeConstants.has(span)) {
      problem(`${span}: neither an environment variable the code reads nor a constant it declares`);
    }
    return;
  }
  pathProblems(span, docDir, facts, problem);
}

/** A repository path, relative to the root or to the document's folder; `<x>` and `*` match any name. */
function pathProblems(span: string, docDir: string, facts: Facts, problem: (what: string) => void): void {
  // Prose, URLs, absolute and home paths, package names, placeholders and import specifiers are not repository paths.
  if (/\s|:\/\//.test(span) || /^(?:[/~@$<]|\.\.)/.test(span)) return;
  const path = span.replace(/^\.\//, '').replace(/:\d+$/, '');
  const first = path.split('/')[0] ?? '';
  // `DATA_DIR/dev-secrets.json`, `PUBLIC_URL/auth/callback`: relative to a variable, not to the repository.
  if (first === '' || ENV_NAME.test(first)) return;
  if (!path.includes('/')) {
    // A bare file name (`principal.ts`, `.nvmrc`): some file of the repository has that name. `.ts` alone is a kind.
    if (!FILE_EXTENSION.test(path) && !/^\.[\w-]+$/.test(path)) return;
    if (/^\.\w+$/.test(path) && FILE_EXTENSION.test(path)) return;
    if (!facts.files.some((file) => file === path || file.endsWith(`/${path}`))) {
      problem(`${path}: no file of that name in the repository`);
    }
    return;
  }
  const isEntryOf = (dir: string) =>
    facts.files.some((file) => {
      const rel = dir === '' ? file : file.startsWith(`${dir}/`) ? file.slice(dir.length + 1) : undefined;
      return rel?.startsWith(`${first}/`) ?? false;
    });
  const shaped = FILE_EXTENSION.test(path) || path.endsWith('/');
  if (!shaped && !isEntryOf('') && !(docDir !== '' && isEntryOf(docDir))) return;
  for (const one of expandAlternatives(path)) {
    const bases = docDir === '' ? [one] : [normalize(join(docDir, one)), one];
    const found = bases.some((base) => {
      const bare = base.replace(/\/$/, '');
      if (/[<*]/.test(bare)) {
        const pattern = pathPattern(bare);
        return facts.files.some((file) => pattern.test(file)) || facts.ignored(bare);
      }
      return facts.exists(bare) || facts.ignored(bare) || facts.ignored(`${bare}/`);
    });
    if (!found) problem(`${one}: no such file or folder in the repository`);
  }
}

/** Relative Markdown links: the target exists, and its heading when an anchor is given. */
function linkProblems(
  text: string,
  file: string,
  ownAnchors: ReadonlySet<string>,
  facts: Facts,
  problem: (what: string) => void,
): void {
  for (const match of text.matchAll(/\[[^\]]*\]\(([^)\s]+)\)/g)) {
    const target = match[1] ?? '';
    if (/^[a-z]+:/.test(target)) continue;
    const [pathPart = '', anchor] = target.split('#');
    const path = pathPart === '' ? file : normalize(join(dirname(file), pathPart)).replace(/\/$/, '');
    if (pathPart !== '' && !facts.exists(path)) {
      problem(`link ${target}: ${path} does not exist`);
      continue;
    }
    if (anchor !== undefined) {
      const anchors = pathPart === '' ? ownAnchors : facts.anchorsOf(path);
      if (anchors && !anchors.has(anchor)) problem(`link ${target}: ${path} has no heading #${anchor}`);
    }
  }
}

/** Every mismatch between `markdown` (the file at repository path `file`) and the code. */
export function checkDocument(file: string, markdown: string, facts: Facts): string[] {
  const problems: string[] = [];
  const docDir = dirname(file) === '.' ? '' : dirname(file);
  const lines = linesOf(markdown);
  const ownAnchors = headingAnchors(markdown);
  lines.forEach((line, index) => {
    const problem = (what: string) => problems.push(`${file}:${line.number}: ${what}`);
    const lore = WORK_LORE.exec(line.text);
    if (lore) problem(`speaks of how the work was done: "${lore[0]}"`);
    commandProblems(line.text, facts, problem);
    if (line.fence === undefined) {
      for (const span of codeSpans(line.text)) spanProblems(span, docDir, facts, problem);
      linkProblems(line.text, file, ownAnchors, facts, problem);
      return;
    }
    if (!SHELL_FENCES.has(line.fence)) return;
    for (const match of line.text.matchAll(/(?:^\s*(?:export\s+)?|--env[ =]|\s-e\s+)([A-Z][A-Z0-9_]*)=(\S*)/g)) {
      const [, name = '', value = ''] = match;
      // `ADMIN_KEY=$(...)` captures output into a shell variable of the example; it configures nothing.
      if (value.startsWith('$(') || value.startsWith('`')) continue;
      if (!facts.envReaders.has(name)) problem(`${name}: no code reads this environment variable`);
    }
    // A shell command may continue over lines ending in a backslash: its curl call is judged as a whole, once.
    if (lines[index - 1]?.fence !== undefined && lines[index - 1]?.text.endsWith('\\')) return;
    let command = line.text;
    for (let next = index + 1; command.endsWith('\\') && lines[next]?.fence !== undefined; next++) {
      command = `${command.slice(0, -1)} ${lines[next]?.text ?? ''}`;
    }
    if (/\bcurl\s/.test(command)) curlProblems(command, facts, problem);
  });
  return problems;
}
