import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { runCli } from '../../../runtime/src/cli/run.js';
import { type Env, loadConfig } from '../../../runtime/src/config.js';
import { open } from '../../../runtime/src/crypto/envelope.js';
import { KeyRing } from '../../../runtime/src/keys/key-ring.js';
import { SecretBytes } from '../../../runtime/src/secret-bytes.js';
import { openStore, type Store } from '../../../runtime/src/store/store.js';
import { ManualClock } from '../../support/clock.js';
import { TEST_API_KEY_PEPPER } from '../../support/config.js';
import { createTestDatabase, STORE_DIALECTS, type TestDatabase } from '../../support/databases.js';

const OLD_KEK = 'aa'.repeat(32);
const NEW_KEK = 'bb'.repeat(32);
const OTHER_KEK = 'cc'.repeat(32);

describe.each(STORE_DIALECTS)('rotating the key-encryption key on %s', (dialect) => {
  let database: TestDatabase;
  const opened: Store[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await database?.drop();
  });

  const envWith = (kek: string, previous?: string): Env => ({
    NODE_ENV: 'test',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'gatehouse-kek-')),
    DATABASE_URL: database.databaseUrl,
    KEY_ENCRYPTION_KEY: kek,
    API_KEY_PEPPER: TEST_API_KEY_PEPPER,
    LOG_LEVEL: 'silent',
    ...(previous ? { KEY_ENCRYPTION_KEY_PREVIOUS: previous } : {}),
  });
  /** A key ring as the runtime starts it from `env` (migrating the store first, through the CLI). */
  async function startRing(env: Env): Promise<KeyRing> {
    expect(await runCli(['migrate'], { env, stdout: () => {}, stderr: () => {} })).toBe(0);
    const config = loadConfig(env);
    const store = openStore(config.database);
    opened.push(store);
    const ring = new KeyRing({
      store,
      kek: config.keyEncryptionKey,
      previousKeks: config.previousKeyEncryptionKeys,
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      alg: config.signingAlg,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      rotationDays: config.keyRotationDays,
    });
    await ring.start();
    ring.stop();
    return ring;
  }
  async function cli(args: string[], env: Env) {
    let stdout = '';
    let stderr = '';
    const code = await runCli(args, {
      env,
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
    });
    return { code, stdout, stderr };
  }
  async function sealedRows(env: Env) {
    const store = openStore(loadConfig(env).database);
    try {
      return await store.db.selectFrom('signing_keys').select(['kid', 'private_jwk_encrypted']).execute();
    } finally {
      await store.close();
    }
  }
  const hex = (value: string) => new SecretBytes(Buffer.from(value, 'hex'));

  it('keeps signing with keys sealed under the previous KEK, then re-seals them all under the new one', async () => {
    database = await createTestDatabase(dialect);
    const first = await startRing(envWith(OLD_KEK));
    const kid = first.activeKey().kid;

    // The new KEK alone cannot open the stored key: the runtime would refuse to start.
    await expect(startRing(envWith(NEW_KEK))).rejects.toThrow(/KEY_ENCRYPTION_KEY/);
    // With the old one as KEY_ENCRYPTION_KEY_PREVIOUS it starts, and signs with the same key.
    const rotating = await startRing(envWith(NEW_KEK, OLD_KEK));
    expect(rotating.activeKey().kid).toBe(kid);

    const rewrap = await cli(['keys', 'rewrap', '--json'], envWith(NEW_KEK, OLD_KEK));
    expect(rewrap).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(rewrap.stdout)).toEqual({ rewrapped: [kid], already_current: [] });
    for (const row of await sealedRows(envWith(NEW_KEK))) {
      expect(() => open(hex(NEW_KEK), row.private_jwk_encrypted, row.kid)).not.toThrow();
    }
    // Now the new KEK alone is enough, and a second re-wrap has nothing to do.
    expect((await startRing(envWith(NEW_KEK))).activeKey().kid).toBe(kid);
    const again = await cli(['keys', 'rewrap', '--json'], envWith(NEW_KEK, OLD_KEK));
    expect(JSON.parse(again.stdout)).toEqual({ rewrapped: [], already_current: [kid] });

    const store = openStore(loadConfig(envWith(NEW_KEK)).database);
    opened.push(store);
    const audit = await store.db
      .selectFrom('audit_events')
      .select(['kind', 'details'])
      .where('kind', '=', 'signing_key.rewrapped')
      .execute();
    expect(audit).toHaveLength(2);
  });

  it('refuses, naming the key, when a signing key opens with neither KEK, and changes nothing', async () => {
    database = await createTestDatabase(dialect);
    const kid = (await startRing(envWith(OLD_KEK))).activeKey().kid;
    const before = await sealedRows(envWith(OLD_KEK));
    const result = await cli(['keys', 'rewrap'], envWith(NEW_KEK, OTHER_KEK));
    expect(result.code).toBe(1);
    expect(result.stderr).toBe(
      `keys rewrap: signing key ${kid} opens with neither KEY_ENCRYPTION_KEY nor KEY_ENCRYPTION_KEY_PREVIOUS: set KEY_ENCRYPTION_KEY_PREVIOUS to the key it was sealed with\n`,
    );
    expect(await sealedRows(envWith(OLD_KEK))).toEqual(before);
  });
});
