import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../runtime/src/config.js';
import { parseApiKey, verifyApiKeySecret } from '../../../runtime/src/credentials/api-key-format.js';
import { openStore } from '../../../runtime/src/store/store.js';
import { createTestDatabase, STORE_DIALECTS } from '../../support/databases.js';

const run = promisify(execFile);
const BIN = join(import.meta.dirname, '../../../runtime/bin/gatehouse.js');

async function gatehouse(args: string[], env: Record<string, string>) {
  const { PATH, HOME } = process.env;
  try {
    const { stdout, stderr } = await run(process.execPath, [BIN, ...args], { env: { PATH, HOME, ...env } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

// Each CLI run is a fresh Node process compiling the TypeScript source (~2.5 s idle); the first case makes four
// of them, and CI runs it beside the container build, so it gets a wider time limit than the default 30 s.
const CLI_CASE_TIMEOUT_MS = 120_000;

describe.each(STORE_DIALECTS)('gatehouse CLI on %s', (dialect) => {
  it(
    'bootstrap-admin on a fresh data dir prints, once, an admin key that verifies against the store',
    async () => {
      const database = await createTestDatabase(dialect);
      const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-cli-'));
      const env = { DATA_DIR: dataDir, DATABASE_URL: database.databaseUrl };
      try {
        const result = await gatehouse(['bootstrap-admin', '--name', 'ci', '--json'], env);
        expect(result.code).toBe(0);
        const printed = JSON.parse(result.stdout) as Record<string, unknown>;
        expect(printed).toMatchObject({
          name: 'ci',
          role: 'admin',
          org_id: 'default',
          header_name: 'X-API-Key',
          expires_at: null,
        });
        expect(printed.scopes).toContain('api_keys:manage');
        const parsed = parseApiKey(String(printed.api_key));
        expect(parsed?.environment).toBe('test');
        expect(parsed?.keyId).toBe(printed.key_id);

        // The same data dir yields the same (generated) pepper the CLI hashed with.
        const config = loadConfig(env);
        const store = openStore(config.database);
        try {
          const row = await store.db
            .selectFrom('api_keys')
            .selectAll()
            .where('key_id', '=', parsed!.keyId)
            .executeTakeFirstOrThrow();
          expect(verifyApiKeySecret(config.apiKeyPepper, parsed!.secret, row.secret_hash)).toBe(true);
          expect(JSON.stringify(row)).not.toContain(parsed!.secret);
          expect(row).toMatchObject({ role: 'admin', org_id: 'default', revoked_at: null, owner_kind: 'bootstrap' });
          const audit = await store.db
            .selectFrom('audit_events')
            .selectAll()
            .where('kind', '=', 'api_key.bootstrap')
            .execute();
          expect(audit).toHaveLength(1);
          expect(JSON.stringify(audit)).not.toContain(parsed!.secret);
        } finally {
          await store.close();
        }

        const rotated = await gatehouse(['keys', 'rotate', '--json'], env);
        expect(rotated.code).toBe(0);
        const list = await gatehouse(['keys', 'list', '--json'], env);
        const keys = JSON.parse(list.stdout) as Array<{ kid: string; state: string }>;
        expect(keys.map((k) => k.state)).toEqual(['active']);
        expect(keys[0]?.kid).toBe((JSON.parse(rotated.stdout) as { kid: string }).kid);
        expect((await gatehouse(['migrate'], env)).stdout).toBe('Store is up to date.\n');
      } finally {
        await database.drop();
      }
    },
    CLI_CASE_TIMEOUT_MS,
  );
});

describe('gatehouse CLI errors', () => {
  it('exits 2 listing every configuration problem without printing secrets', async () => {
    const result = await gatehouse(['migrate'], {
      NODE_ENV: 'production',
      PUBLIC_URL: 'https://auth.example.com',
      KEY_ENCRYPTION_KEY: 'tooshortsecretvalue',
      SIGNING_ALG: 'none',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('KEY_ENCRYPTION_KEY must be at least 32 random bytes');
    expect(result.stderr).toContain('API_KEY_PEPPER is required in production');
    expect(result.stderr).toContain('SIGNING_ALG must be one of ES256, EdDSA, RS256');
    expect(result.stderr).not.toContain('tooshortsecretvalue');
  });

  it('rejects bootstrap-admin without --name', async () => {
    const result = await gatehouse(['bootstrap-admin'], { DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-cli-')) });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('bootstrap-admin: --name <name> is required');
  });
});
