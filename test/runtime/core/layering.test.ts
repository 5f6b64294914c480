import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../../..');
const SOURCE = join(ROOT, 'runtime/src');

/** Every TypeScript file under `runtime/src`, as a repository path. */
function sourceFiles(): string[] {
  return readdirSync(SOURCE, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts') && !name.endsWith('.d.ts'))
    .map((name) => relative(ROOT, join(SOURCE, name)))
    .sort();
}

const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');

/** A route module declares routes (`route({`), or is named for them; the route layer (`src/http/`) serves them. */
const isRouteModule = (file: string) =>
  !file.startsWith('runtime/src/http/') && (/-routes?\.ts$/.test(file) || /\broute\(\{/.test(read(file)));

/** What only records may use: the store's modules, Kysely, the query builder and raw SQL. */
const QUERY_LAYER: ReadonlyArray<readonly [string, RegExp]> = [
  ['imports from store/', /from\s+['"][^'"]*\/store\/[^'"]*['"]/],
  ['imports kysely', /from\s+['"]kysely['"]/],
  ['reads the query builder (.db)', /\.db\b/],
  ['reaches for the store (.store)', /\.store\b/],
  ['opens a transaction', /\.transaction\(/],
  ['builds a query', /\b(?:selectFrom|updateTable|insertInto|deleteFrom|replaceInto|mergeInto)\(/],
  ['writes raw SQL', /\bsql\s*(?:<[^>]*>)?\s*`/],
];

describe('layering: routes call services, services call records, only records touch the query layer', () => {
  const routeModules = sourceFiles().filter(isRouteModule);

  it('finds the route modules', () => {
    // A pattern that stopped matching would make the rule below pass on nothing.
    expect(routeModules).toEqual(
      expect.arrayContaining([
        'runtime/src/credentials/api-keys/api-key-routes.ts',
        'runtime/src/users/users-routes.ts',
        'runtime/src/audit/audit-routes.ts',
        'runtime/src/signin/session-routes.ts',
        'runtime/src/routes/health.ts',
      ]),
    );
    expect(routeModules.length).toBeGreaterThanOrEqual(15);
  });

  it('no route module touches the query layer', () => {
    const violations = routeModules.flatMap((file) => {
      const source = read(file);
      return QUERY_LAYER.filter(([, pattern]) => pattern.test(source)).map(([what]) => `${file}: ${what}`);
    });
    expect(violations).toEqual([]);
  });

  it('the patterns catch a route that queries the store', () => {
    const offender = [
      "import { sql } from 'kysely';",
      "import type { Store } from '../store/store.js';",
      "const rows = await ctx.store.db.selectFrom('users').where(sql<boolean>`lower(email) like ${p}`).execute();",
      'await store.transaction(async (trx) => trx.updateTable("users").execute());',
    ].join('\n');
    expect(QUERY_LAYER.filter(([, pattern]) => !pattern.test(offender)).map(([what]) => what)).toEqual([]);
  });
});
