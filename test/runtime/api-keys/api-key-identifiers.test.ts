import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call, createKey } from '../auth/helpers.js';

describe.each(STORE_DIALECTS)('API key routes on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('accepts either identifier of an API key on every key route: id and key_id', async () => {
    const byKeyId = await createKey(suite.app, suite.admin, { name: 'by key_id', scopes: ['search:read'] });
    const rotated = await call(suite.app, `/api/v1/api-keys/${byKeyId.key_id}/rotate`, {
      apiKey: suite.admin,
      body: { grace_period_seconds: 0 },
    });
    expect(rotated.status).toBe(201);
    const replacement = (await rotated.json()) as { id: string; key_id: string; api_key: string };
    const deleted = await call(suite.app, `/api/v1/api-keys/${replacement.key_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(deleted.status).toBe(204);
    expect((await call(suite.app, '/auth/verify', { apiKey: replacement.api_key })).status).toBe(401);

    const byId = await createKey(suite.app, suite.admin, { name: 'by id', scopes: ['search:read'] });
    expect(
      (await call(suite.app, `/api/v1/api-keys/${byId.id}`, { apiKey: suite.admin, method: 'DELETE' })).status,
    ).toBe(204);
    const unknown = await call(suite.app, '/api/v1/api-keys/AAAAAAAAAAAAAAAA', {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ error: { code: 'not_found', message: 'No such API key' } });
  });
});
