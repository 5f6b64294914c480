import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { providersUsed, providerTable } from '../constructs/provider-table.js';
import { run, tail } from '../support/command.js';
import { ROOT, staleConstructsBuild } from './constructs-build.js';

// @gatehouse/constructs as a user gets it: `npm pack` of the workspace, the tarball installed with its peers in a
// project under the system's temporary folder (outside the repository, so nothing resolves through the workspace
// link), and the README's example compiled there with tsc against the installed types and run with node.

const PACKAGE = '@gatehouse/constructs';
const PACKAGE_DIR = join(ROOT, 'constructs');
const TENANT = '00000000-0000-0000-0000-00000000aaaa';
const DIGEST = 'a'.repeat(64);
/** What the README's example leaves to the reader, and what it becomes here. */
const PLACEHOLDERS: Readonly<Record<string, string>> = { '<entra tenant id>': TENANT, '<64 hex>': DIGEST };
const MINUTE = 60_000;

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly license?: string;
  readonly engines?: Record<string, string>;
  readonly exports: Record<string, string | Record<string, string>>;
  readonly dependencies?: Record<string, string>;
  readonly peerDependencies?: Record<string, string>;
}

interface PackResult {
  readonly filename: string;
  readonly integrity: string;
  readonly files: ReadonlyArray<{ readonly path: string }>;
}

type LockPackages = Record<string, Record<string, unknown>>;

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

/**
 * The consumer's lock: the package's dependencies and peers (their bundled packages included) as the repository's
 * lock pins them, and the tarball. `npm ci --offline` then takes every tarball from the npm cache that `npm ci` in
 * the repository filled; `npm install <tarball> --offline` cannot, as npm fetches full registry metadata (not cached
 * by `npm ci`) for a new package's peers.
 */
function consumerLock(manifest: Manifest, tarball: PackResult, dependencies: Record<string, string>): object {
  const repositoryLock = readJson<{ packages: LockPackages }>(join(ROOT, 'package-lock.json')).packages;
  const names = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
  const packages: LockPackages = { '': { name: 'consumer', version: '1.0.0', dependencies } };
  for (const [path, entry] of Object.entries(repositoryLock)) {
    if (
      names.some((name) => path === `node_modules/${name}` || path.startsWith(`node_modules/${name}/node_modules/`))
    ) {
      packages[path] = entry;
    }
  }
  packages[`node_modules/${PACKAGE}`] = {
    version: manifest.version,
    resolved: `file:${tarball.filename}`,
    integrity: tarball.integrity,
    license: manifest.license,
    dependencies: manifest.dependencies,
    engines: manifest.engines,
    peerDependencies: manifest.peerDependencies,
  };
  return { name: 'consumer', version: '1.0.0', lockfileVersion: 3, requires: true, packages };
}

/** The version of `name` the repository's lock installs. */
function lockedVersion(name: string): string {
  const entry = readJson<{ packages: LockPackages }>(join(ROOT, 'package-lock.json')).packages[`node_modules/${name}`];
  if (typeof entry?.version !== 'string') throw new Error(`package-lock.json does not install ${name}`);
  return entry.version;
}

/** The first ```ts block after the README's `## Use` heading, with its placeholders filled in. */
function readmeExample(readme: string): string {
  const use = readme.indexOf('\n## Use\n');
  const block = use === -1 ? null : /```ts\n([\s\S]*?)```/.exec(readme.slice(use));
  if (!block?.[1]) throw new Error('the README has no ```ts block under "## Use"');
  let code = block[1];
  for (const [placeholder, value] of Object.entries(PLACEHOLDERS)) code = code.replaceAll(placeholder, value);
  const left = /<[a-z][\w ]*>/.exec(code);
  if (left) throw new Error(`the README example has a placeholder this test does not fill in: ${left[0]}`);
  return code;
}

/** Every file of a folder, recursively, as paths relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1));
}

/** Runs a command that must succeed; a failure throws with its output and what usually causes it. */
async function mustRun(command: string, args: string[], cwd: string, hint: string, timeoutMs = 3 * MINUTE) {
  const result = await run(command, args, timeoutMs, { cwd, env: { ...process.env, CHECKPOINT_DISABLE: '1' } });
  if (result.code !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} in ${cwd} failed (${hint}):\n${tail(result.stdout)}\n${tail(result.stderr)}`,
    );
  }
  return result.stdout;
}

describe(`${PACKAGE}, packed and installed in a project of its own`, () => {
  const project = mkdtempSync(join(tmpdir(), 'gatehouse-constructs-consumer-'));
  const installed = join(project, 'node_modules', PACKAGE);
  let tarball: PackResult;
  let manifest: Manifest;
  let entries: Record<string, string[]>;
  let synthesized: string;

  beforeAll(async () => {
    const stale = staleConstructsBuild();
    if (stale !== undefined) throw new Error(stale);
    // --ignore-scripts: the package's prepack rebuilds constructs/dist from scratch, under the stack tests that
    // import it at the same time; the build was just found current.
    const packed = await mustRun(
      'npm',
      ['pack', '--workspace', PACKAGE, '--ignore-scripts', '--json', '--pack-destination', project],
      ROOT,
      'npm pack of the workspace',
    );
    [tarball] = JSON.parse(packed) as PackResult[];
    const workspace = readJson<Manifest>(join(PACKAGE_DIR, 'package.json'));
    const dependencies: Record<string, string> = { [PACKAGE]: `file:${tarball.filename}` };
    for (const name of Object.keys(workspace.peerDependencies ?? {})) dependencies[name] = lockedVersion(name);
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true, type: 'module', dependencies }, null, 2)}\n`,
    );
    writeFileSync(join(project, 'package-lock.json'), JSON.stringify(consumerLock(workspace, tarball, dependencies)));
    await mustRun(
      'npm',
      ['ci', '--offline', '--no-audit', '--no-fund'],
      project,
      'the peers come from the npm cache that `npm ci` in the repository fills; ENOTCACHED names a package missing ' +
        'from it: run `npm ci` in the repository with the npm registry reachable',
    );
    manifest = readJson<Manifest>(join(installed, 'package.json'));

    // Every export of the installed package, imported by its name from the consumer project.
    const subpaths = Object.keys(manifest.exports).filter((subpath) => subpath !== './package.json');
    const listing = `const names = {};
for (const subpath of ${JSON.stringify(subpaths)}) {
  names[subpath] = Object.keys(await import('${PACKAGE}' + subpath.slice(1))).sort();
}
console.log(JSON.stringify(names));`;
    entries = JSON.parse(
      await mustRun(process.execPath, ['--input-type=module', '-e', listing], project, 'importing every export'),
    );

    writeFileSync(join(project, 'main.ts'), readmeExample(readFileSync(join(installed, 'README.md'), 'utf8')));
    const compilerOptions = {
      target: 'ES2022',
      lib: ['ES2023'],
      module: 'NodeNext',
      strict: true,
      // The installed declarations are checked too, without @types/node: the package must not need it.
      skipLibCheck: false,
      types: [],
      rootDir: '.',
      outDir: 'out',
    };
    writeFileSync(join(project, 'tsconfig.json'), JSON.stringify({ compilerOptions, files: ['main.ts'] }));
    await mustRun(
      join(ROOT, 'node_modules/.bin/tsc'),
      ['-p', 'tsconfig.json'],
      project,
      'compiling the README example',
    );
    const outdir = join(project, 'cdktf.out');
    const result = await run(process.execPath, ['out/main.js'], MINUTE, {
      cwd: project,
      env: { ...process.env, CDKTF_OUTDIR: outdir },
    });
    if (result.code !== 0) throw new Error(`the README example failed to synthesize:\n${tail(result.stderr)}`);
    synthesized = readFileSync(join(outdir, 'stacks/identity/cdk.tf.json'), 'utf8');
  }, 5 * MINUTE);

  afterAll(() => rmSync(project, { recursive: true, force: true }));

  it('packs compiled JavaScript, type declarations, the READMEs and the manifest, and nothing else', () => {
    const paths = tarball.files.map((file) => file.path);
    const unexpected = paths.filter(
      (path) => !/^(?:dist\/.+\.(?:js|d\.ts)|(?:[a-z-]+\/)?README\.md|package\.json)$/.test(path),
    );
    expect(unexpected).toEqual([]);
    expect(paths).toEqual(expect.arrayContaining(['README.md', 'auth-platform/README.md', 'dist/catalog/index.js']));
    // Every export points at a file the tarball has.
    const targets = Object.values(manifest.exports).flatMap((target) =>
      typeof target === 'string' ? [target] : Object.values(target),
    );
    for (const target of targets) expect(paths, target).toContain(target.replace(/^\.\//, ''));
  });

  it('declares what its compiled code imports: uuid as a dependency, cdktf, constructs and the providers as peers', () => {
    const imported = new Set<string>();
    for (const file of filesUnder(join(installed, 'dist')).filter((path) => path.endsWith('.js'))) {
      const source = readFileSync(join(installed, 'dist', file), 'utf8');
      for (const [, specifier = ''] of source.matchAll(/^(?:import|export)\b[^'"]*?from '([^'.][^']*)'/gm)) {
        imported.add(
          specifier
            .split('/')
            .slice(0, specifier.startsWith('@') ? 2 : 1)
            .join('/'),
        );
      }
    }
    const root = readJson<{ dependencies: Record<string, string> }>(join(ROOT, 'package.json'));
    const peers = Object.keys(manifest.peerDependencies ?? {}).sort();
    expect(peers).toEqual([
      '@cdktf/provider-azuread',
      '@cdktf/provider-azurerm',
      '@cdktf/provider-random',
      '@cdktf/provider-time',
      'cdktf',
      'constructs',
    ]);
    // The versions the repository builds and tests with are the lowest the package accepts.
    for (const name of peers) expect(manifest.peerDependencies?.[name]).toBe(`^${root.dependencies[name]}`);
    expect(manifest.dependencies).toEqual({ uuid: lockedVersion('uuid') });
    expect([...imported].sort()).toEqual([...peers, 'uuid'].sort());
  });

  it('resolves every export by name, the root entry holding every construct entry, and the README lists them', () => {
    const readme = readFileSync(join(installed, 'README.md'), 'utf8');
    for (const [subpath, names] of Object.entries(entries)) {
      expect(names.length, subpath).toBeGreaterThan(0);
      expect(readme).toContain(`| \`${PACKAGE}${subpath.slice(1)}\` |`);
      if (subpath !== '.' && subpath !== './catalog') expect(entries['.']).toEqual(expect.arrayContaining(names));
    }
    expect(Object.keys(entries).sort()).toEqual(
      [
        '.',
        './catalog',
        ...readdirSync(join(installed, 'dist/constructs'), { withFileTypes: true })
          .filter((entry) => entry.isDirectory())
          .map((entry) => `./${entry.name}`),
      ].sort(),
    );
    expect(entries['./auth-platform']).toContain('AuthPlatform');
    expect(entries['./catalog']).toEqual(expect.arrayContaining(['defaultCatalog', 'extendCatalog', 'CatalogError']));
  });

  it('synthesizes the README example: AuthPlatform and a federated ClientCredentialApp', () => {
    const json = JSON.parse(synthesized) as {
      resource: Record<string, Record<string, Record<string, unknown>>>;
      output: Record<string, unknown>;
      terraform: { backend?: unknown };
    };
    const all = (type: string) => Object.values(json.resource[type] ?? {});
    expect(all('azurerm_key_vault')).toEqual([
      expect.objectContaining({
        name: 'kv-gatehouse-dev',
        purge_protection_enabled: true,
        rbac_authorization_enabled: true,
      }),
    ]);
    const [app] = all('azurerm_container_app') as Array<{ template: { container: Array<{ image: string }> } }>;
    expect(app?.template.container[0]?.image).toBe(`myacr.azurecr.io/gatehouse-runtime@sha256:${DIGEST}`);
    // The API's registration and the smoke tests' own.
    expect(all('azuread_application')).toHaveLength(2);
    expect(all('azuread_application_federated_identity_credential')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          issuer: 'https://token.actions.githubusercontent.com',
          subject: 'repo:org/app:environment:prod',
        }),
      ]),
    );
    // The smoke tests hold the API's investigations:read app role, and only that one.
    const api = all('azuread_application').find((application) => Array.isArray(application.app_role)) as {
      app_role: Array<{ id: string; value: string }>;
    };
    const role = api.app_role.find((candidate) => candidate.value === 'investigations:read');
    expect(all('azuread_app_role_assignment').map((assignment) => assignment.app_role_id)).toEqual([role?.id]);
    expect(Object.keys(json.output)).toEqual(['runtime_url']);
    // The example declares no backend, so cdktf adds a local one at an absolute path; nothing else names a path of
    // this machine.
    const { backend, ...terraform } = json.terraform;
    expect(backend).toEqual({ local: { path: join(project, 'terraform.identity.tfstate') } });
    const rest = JSON.stringify({ ...json, terraform });
    expect(rest).not.toContain(project);
    expect(rest).not.toContain(ROOT);
  });

  it('declares the providers the README names for AuthPlatform and ClientCredentialApp, and uses no other', () => {
    const json = JSON.parse(synthesized) as {
      provider: Record<string, Array<Record<string, unknown>>>;
      resource: object;
      data?: object;
    };
    const table = providerTable(readFileSync(join(installed, 'README.md'), 'utf8'));
    const named = [...new Set(['AuthPlatform', 'ClientCredentialApp'].flatMap((c) => table.get(c)?.defaults ?? []))];
    expect(named.sort()).toEqual(['azuread', 'azurerm', 'random', 'time']);
    expect(Object.keys(json.provider).sort()).toEqual(named);
    expect(providersUsed(json)).toEqual(named);
    expect(json.provider.azurerm).toEqual([{ features: [{}] }]);
  });
});
