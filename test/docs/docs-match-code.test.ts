import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../support/app.js';
import { cliFacts, collectFacts, ROOT, repositoryFiles, startDocumentedApp } from './code-facts.js';
import { checkDocument, type Facts, headingAnchors, isServed, linesOf } from './doc-check.js';

/** The documents a reader is sent to: the README, docs/, and the READMEs of the bench and the runtime's code. */
function documents(): string[] {
  const markdown = (dir: string) =>
    readdirSync(join(ROOT, dir))
      .filter((name) => name.endsWith('.md'))
      .map((name) => `${dir}/${name}`)
      .sort();
  const runtimeReadmes = repositoryFiles().filter((file) => /^runtime\/src\/(?:.+\/)?README\.md$/.test(file));
  return ['README.md', ...markdown('docs'), 'bench/README.md', 'runtime/README.md', ...runtimeReadmes.sort()];
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** The lines of a README section: from its `## ` heading to the next one. */
function section(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(`## ${heading}`);
  if (start === -1) return '';
  const end = lines.findIndex((line, index) => index > start && line.startsWith('## '));
  return lines.slice(start, end === -1 ? undefined : end).join('\n');
}

describe('the documentation names only what exists', () => {
  let app: TestApp;
  let facts: Facts;

  beforeAll(async () => {
    app = await startDocumentedApp();
    facts = await collectFacts(app);
  });

  afterAll(async () => {
    await app?.close();
  });

  it.each(documents())('%s: scripts, CLI commands, paths, variables, endpoints and links exist', (file) => {
    expect(checkDocument(file, read(file), facts)).toEqual([]);
  });

  it('derives what exists from the code', () => {
    expect(facts.scripts).toContain('dev');
    expect([...facts.cli.commands.keys()].sort()).toEqual([
      'bootstrap-admin',
      'keys',
      'local-user',
      'migrate',
      'serve',
    ]);
    expect([...(facts.cli.commands.get('keys') ?? [])].sort()).toEqual(['list', 'rewrap', 'rotate']);
    expect([...(facts.cli.commands.get('local-user') ?? [])].sort()).toEqual(['add', 'disable', 'list', 'reset']);
    expect([...facts.cli.options].sort()).toEqual(['--email', '--help', '--json', '--name', '--role', '-h']);
    expect(facts.envReaders.get('DATABASE_URL')).toBe('runtime/src/config.ts');
    expect(facts.envReaders.get('DEV_IDP_PORT')).toBe('the runtime (npm run dev)');
    expect(facts.envReaders.get('TEST_REDIS_URL')).toBe('the test suites');
    expect(isServed(facts.routes, 'GET', '/auth/me')).toBe(true);
    expect(isServed(facts.routes, 'DELETE', '/api/v1/api-keys/{id}')).toBe(true);
    expect(isServed(facts.routes, 'GET', '/auth/verify/api/search')).toBe(true);
  });

  it('reports each kind of reference that names nothing, with its file and line', () => {
    const bad = [
      '# A page',
      '',
      'Run `npm run no-such-script` first.',
      'Then `npx gatehouse keys delete` and `npx gatehouse serve --port 9`, and `npx gatehouse purge`.',
      'Configure it in `runtime/src/settings.ts` or `constructs/auth-vault/`; see `permissions/<env>.yaml`.',
      'Set `NO_SUCH_SETTING_PORT` to move `GET /metrics`; break glass with `POST /api/v1/no-such/token`.',
      'Rotate with `POST /api/v1/api-keys/<id>/renew` and read [the guide](missing.md) or [this](#nowhere).',
      `The runs of ${'issue'} 10 in ${'session'} 12.`,
      '```sh',
      'NO_SUCH_SETTING_ENABLED=true npm run dev',
      'curl -s -X PUT http://localhost:8080/auth/me',
      '```',
    ].join('\n');
    expect(checkDocument('docs/example.md', bad, facts)).toEqual([
      'docs/example.md:3: npm run no-such-script: package.json has no script "no-such-script"',
      'docs/example.md:4: gatehouse keys delete: "keys" takes one of rotate, list, rewrap',
      'docs/example.md:4: gatehouse serve: the CLI has no option "--port"',
      'docs/example.md:4: gatehouse purge: the CLI has no command "purge"',
      'docs/example.md:5: runtime/src/settings.ts: no such file or folder in the repository',
      'docs/example.md:5: constructs/auth-vault/: no such file or folder in the repository',
      'docs/example.md:5: permissions/<env>.yaml: no such file or folder in the repository',
      'docs/example.md:6: NO_SUCH_SETTING_PORT: neither an environment variable the code reads nor a constant it declares',
      'docs/example.md:6: POST /api/v1/no-such/token: the runtime serves no such route',
      'docs/example.md:7: POST /api/v1/api-keys/<id>/renew: the runtime serves no such route',
      'docs/example.md:7: link missing.md: docs/missing.md does not exist',
      'docs/example.md:7: link #nowhere: docs/example.md has no heading #nowhere',
      `docs/example.md:8: speaks of how the work was done: "${'issue'} 10"`,
      'docs/example.md:10: NO_SUCH_SETTING_ENABLED: no code reads this environment variable',
      'docs/example.md:11: curl PUT /auth/me: the runtime serves no such route',
    ]);
  });

  it('accepts what exists, however a path parameter is written', () => {
    const good = [
      '# A page',
      '',
      '`PATCH /api/v1/users/{id}`, `PATCH /api/v1/users/:id`, `PATCH /api/v1/users/<id>`, `GET /auth/verify?scope=a`,',
      '`GET /admin/assets/admin.{js,css}`, `runtime/src/config.ts`, `constructs/auth-key-vault/`, `PORT=8080`,',
      '`npx gatehouse keys rotate --json`, `npm run permissions:diff -- --base main`, [deploying](deploying.md#deploy).',
      // A browser session with a lifetime is not work lore (the number is built, so the repository's own lore scan,
      // which reads this file as text, does not flag the sample).
      `A browser session ${30} days old signs in again.`,
    ].join('\n');
    expect(checkDocument('docs/example.md', good, facts)).toEqual([]);
  });

  it("documents every variable of the runtime's config schema and every CLI command", () => {
    const configuration = read('docs/configuration.md');
    const schemaNames = [...facts.envReaders].filter(([, reader]) => reader === 'runtime/src/config.ts');
    expect(schemaNames.length).toBeGreaterThan(20);
    for (const [name] of schemaNames)
      expect(configuration, `docs/configuration.md names ${name}`).toContain(`\`${name}\``);
    const operations = read('docs/operations.md');
    for (const [command, subcommands] of facts.cli.commands) {
      const forms = subcommands.size === 0 ? [command] : [...subcommands].map((sub) => `${command} ${sub}`);
      for (const form of forms)
        expect(operations, `docs/operations.md shows gatehouse ${form}`).toContain(`gatehouse ${form}`);
    }
  });

  it('keeps the README short, with contents that link every section and every page of docs/', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(260);
    const contents = section(readme, 'Contents');
    expect(contents, 'README.md has a "## Contents" section').not.toBe('');
    const sections = linesOf(readme)
      .filter((line) => line.fence === undefined && /^## /.test(line.text) && line.text !== '## Contents')
      .map((line) => line.text.slice(3));
    const anchors = headingAnchors(sections.map((heading) => `## ${heading}`).join('\n'));
    for (const anchor of anchors) expect(contents, `contents link #${anchor}`).toContain(`](#${anchor})`);
    const pages = readdirSync(join(ROOT, 'docs')).filter((name) => name.endsWith('.md'));
    expect(pages.length).toBeGreaterThan(0);
    for (const page of pages) expect(contents, `contents link docs/${page}`).toContain(`](docs/${page})`);
  });

  it('starts every page of docs/ with a title and a one-paragraph summary', () => {
    for (const page of documents().filter((file) => file.startsWith('docs/'))) {
      const [title, blank, firstLine] = read(page).split('\n');
      expect(title, `${page} starts with a "# " title`).toMatch(/^# \S/);
      expect(blank, `${page}: a blank line after the title`).toBe('');
      expect(firstLine, `${page}: the summary paragraph comes first`).toMatch(/^[A-Za-z`]/);
    }
  });
});

describe('cliFacts', () => {
  it('reads commands, subcommands and options from a dispatcher', () => {
    const source = [
      "  if (command === 'serve') {",
      "    case 'migrate':",
      '      return 0;',
      "    case 'keys':",
      '      return await keysCommand(sub, json);',
      "  if (sub === 'rotate') {",
      "  if (sub === 'list') {",
      '    options: {',
      "      name: { type: 'string' },",
      "      help: { type: 'boolean', short: 'h' },",
      '    },',
      '',
    ].join('\n');
    const cli = cliFacts(source);
    expect(Object.fromEntries([...cli.commands].map(([name, subs]) => [name, [...subs]]))).toEqual({
      serve: [],
      migrate: [],
      keys: ['rotate', 'list'],
    });
    expect([...cli.options]).toEqual(['--name', '--help', '-h']);
  });

  it('gives each command the subcommands of its own handler, in run.ts or in the module it imports', () => {
    const source = [
      "import { usersCommand } from '../users/users-cli.js';",
      "    case 'keys':",
      '      return await keysCommand(sub, json);',
      "    case 'users':",
      '      return await usersCommand(',
      '        sub,',
      '      );',
      '    default:',
      '      return 2;',
      'async function keysCommand(sub, json) {',
      "  if (sub === 'rotate') {",
      '}',
      'function other() {}',
    ].join('\n');
    const modules: Record<string, string> = {
      '../users/users-cli.js': ['export function usersCommand(sub) {', "  if (sub === 'add') {", '}'].join('\n'),
    };
    const cli = cliFacts(source, (specifier) => modules[specifier] ?? '');
    expect(Object.fromEntries([...cli.commands].map(([name, subs]) => [name, [...subs]]))).toEqual({
      keys: ['rotate'],
      users: ['add'],
    });
  });
});
