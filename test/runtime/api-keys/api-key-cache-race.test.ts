import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { ApiKeyRecords, type ApiKeyRow } from '../../../runtime/src/credentials/api-keys/api-key-records.js';
import { ApiKeyResolver } from '../../../runtime/src/credentials/api-keys/api-key-resolver.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey, randomIp } from '../auth/helpers.js';

/** Key records whose next `findByKeyId` reads the row at once but hands it back only when the test releases it. */
class HeldRecords extends ApiKeyRecords {
  #held: { onRead: () => void; gate: Promise<void> } | undefined;

  holdNextRead(): { read: Promise<void>; release: () => void } {
    let release: () => void = () => undefined;
    let onRead: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    const read = new Promise<void>((resolve) => {
      onRead = resolve;
    });
    this.#held = { onRead, gate };
    return { read, release };
  }

  override async findByKeyId(keyId: string): Promise<ApiKeyRow | undefined> {
    const row = await super.findByKeyId(keyId);
    const held = this.#held;
    this.#held = undefined;
    if (held) {
      held.onRead();
      await held.gate;
    }
    return row;
  }
}

describe.each(STORE_DIALECTS)('API key cache against a read that straddles a revocation (%s)', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('does not cache a row read before the revocation evicted it, so the revoked key is refused next time', async () => {
    const bus = suite.app.services.bus;
    await bus.ready();
    const key = await createKey(suite.app, suite.admin, { name: 'straddled', scopes: ['graph:read'] });
    const records = new HeldRecords(suite.app.store, suite.app.clock);
    const resolver = new ApiKeyResolver(suite.app.ctx, records, bus);
    const request = { req: {} as IncomingMessage, ip: randomIp(), userAgent: null };

    const held = records.holdNextRead();
    const straddling = resolver.resolve(key.api_key, request);
    await held.read;
    // The revocation commits and its invalidation notice reaches this resolver while the read above is in flight.
    expect(
      (await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' })).status,
    ).toBe(204);
    held.release();
    // The request that read before the revocation may still pass; it must not leave the old row behind.
    expect((await straddling).credentialId).toBe(key.key_id);

    await expect(resolver.resolve(key.api_key, request)).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'The API key has been revoked',
    });
  });

  it('still caches a key read without an eviction in between (no store read on the warm path)', async () => {
    const bus = suite.app.services.bus;
    const key = await createKey(suite.app, suite.admin, { name: 'warm', scopes: ['graph:read'] });
    const records = new HeldRecords(suite.app.store, suite.app.clock);
    const resolver = new ApiKeyResolver(suite.app.ctx, records, bus);
    const request = { req: {} as IncomingMessage, ip: randomIp(), userAgent: null };
    await resolver.resolve(key.api_key, request);
    // Revoked in the store behind the cache's back (no notice): the cached entry still answers, proving a cache hit.
    await suite.app.store.db
      .updateTable('api_keys')
      .set({ revoked_at: new Date(suite.app.clock.now()).toISOString() })
      .where('id', '=', key.id)
      .execute();
    expect((await resolver.resolve(key.api_key, request)).credentialId).toBe(key.key_id);
  });
});
