import { describe, expect, it } from 'vitest';
import { parseApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import { createdByView } from '../../../runtime/src/credentials/audit-context.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call } from '../auth/helpers.js';

describe.each(STORE_DIALECTS)('created_by of credentials made with an API key on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);
  const adminKeyId = () => parseApiKey(suite.admin)?.keyId as string;

  it('names an API key caller once in created_by: clients, team tokens and admin tokens', async () => {
    const client = await call(suite.app, '/api/v1/clients', {
      apiKey: suite.admin,
      body: { name: 'by-key', scopes: ['search:read'] },
    });
    expect(client.status).toBe(201);
    const listed = (await (await call(suite.app, '/api/v1/clients', { apiKey: suite.admin })).json()) as {
      clients: Array<{ created_by: string }>;
    };
    expect(listed.clients.map((c) => c.created_by)).toContain(`api_key:${adminKeyId()}`);

    expect(
      (await call(suite.app, '/api/v1/orgs/default/teams', { apiKey: suite.admin, body: { slug: 'cb', name: 'CB' } }))
        .status,
    ).toBe(201);
    const team = await call(suite.app, '/api/v1/orgs/default/teams/cb/tokens', { apiKey: suite.admin, body: {} });
    expect(((await team.json()) as { created_by: string }).created_by).toBe(`api_key:${adminKeyId()}`);
    const admin = await call(suite.app, '/api/v1/orgs/default/admin-tokens', { apiKey: suite.admin, body: {} });
    expect(((await admin.json()) as { created_by: string }).created_by).toBe(`api_key:${adminKeyId()}`);
    const tokens = (await (
      await call(suite.app, '/api/v1/orgs/default/teams/cb/tokens', { apiKey: suite.admin })
    ).json()) as { tokens: Array<{ created_by: string }> };
    expect(tokens.tokens.map((t) => t.created_by)).toEqual([`api_key:${adminKeyId()}`]);
  });

  it('shows rows written with the kind twice with the kind once', () => {
    expect(createdByView('api_key:api_key:AbC123')).toBe('api_key:AbC123');
    expect(createdByView('team_token:tok_1')).toBe('team_token:tok_1');
    expect(createdByView('session:usr_1')).toBe('session:usr_1');
  });
});
