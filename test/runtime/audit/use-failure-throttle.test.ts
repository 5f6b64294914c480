import { describe, expect, it, vi } from 'vitest';
import { generateApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey, eventually, randomIp } from '../auth/helpers.js';

/** Fewer than the failed-auth limit (default 20 per address), so every request reaches the key check. */
const ATTEMPTS = 8;

describe.each(STORE_DIALECTS)('use-failure audit throttle on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  /** `api_key.use_failed` rows written from `ip`, once the background writes of `expected` rows landed. */
  async function failureRows(ip: string, expected: number) {
    const rows = () =>
      suite.app.store.db
        .selectFrom('audit_events')
        .selectAll()
        .where('kind', '=', 'api_key.use_failed')
        .where('ip', '=', ip)
        .execute();
    await eventually(async () => (await rows()).length >= expected);
    return rows();
  }

  it('writes one row per window for many distinct unknown key ids from one address', async () => {
    const ip = randomIp();
    const writes = vi.spyOn(suite.app.ctx.audit, 'recordInBackground');
    try {
      for (let i = 0; i < ATTEMPTS; i++) {
        // A well-formed key (valid checksum) with a fresh random key_id each time: it reaches the store as unknown.
        expect((await call(suite.app, '/auth/verify', { apiKey: generateApiKey('test').apiKey, ip })).status).toBe(401);
      }
      const fromIp = () => writes.mock.calls.filter(([event]) => event.ip === ip);
      expect(fromIp()).toHaveLength(1);
      expect(await failureRows(ip, 1)).toMatchObject([{ reason: 'unknown', outcome: 'failure', actor_subject: null }]);

      // The next window gets its row again.
      suite.app.clock.advance(60);
      expect((await call(suite.app, '/auth/verify', { apiKey: generateApiKey('test').apiKey, ip })).status).toBe(401);
      expect(fromIp()).toHaveLength(2);
      expect(await failureRows(ip, 2)).toHaveLength(2);
    } finally {
      writes.mockRestore();
    }
  });

  it('keeps one row per known credential: two revoked keys used from one address write two rows', async () => {
    const ip = randomIp();
    const keys = [
      await createKey(suite.app, suite.admin, { name: 'revoked-a', scopes: ['graph:read'] }),
      await createKey(suite.app, suite.admin, { name: 'revoked-b', scopes: ['graph:read'] }),
    ];
    for (const key of keys) {
      expect(
        (await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' })).status,
      ).toBe(204);
      for (let i = 0; i < 3; i++)
        expect((await call(suite.app, '/auth/verify', { apiKey: key.api_key, ip })).status).toBe(401);
    }
    const rows = await failureRows(ip, 2);
    expect(rows.map((row) => [row.credential_id, row.reason]).sort()).toEqual(
      keys.map((key) => [key.key_id, 'revoked']).sort(),
    );
  });
});
