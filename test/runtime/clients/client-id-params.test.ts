import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call } from '../auth/helpers.js';

/** A value a caller might paste where an id belongs: it must never come back in the answer. */
const PASTED = 'sk_live_Zq9pastedSECRETvalue7Xv';
const CLIENT_ID = 'cli_00000000000000000000';
const SECRET_ID = 'sec_00000000000000000000';

describe.each(STORE_DIALECTS)('API client ids in paths on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('refuses a client or secret id that is not one with a 400 naming the parameter, without repeating it', async () => {
    const cases = [
      [
        'DELETE',
        `/api/v1/clients/${PASTED}`,
        'params.id: must be a client_id: cli_ and 20 lower-case letters or digits',
      ],
      [
        'POST',
        `/api/v1/clients/${PASTED}/secrets`,
        'params.id: must be a client_id: cli_ and 20 lower-case letters or digits',
      ],
      [
        'DELETE',
        `/api/v1/clients/${CLIENT_ID}/secrets/${PASTED}`,
        'params.secret_id: must be a secret id: sec_ and 20 lower-case letters or digits',
      ],
    ] as const;
    for (const [method, path, message] of cases) {
      const res = await call(suite.app, path, { apiKey: suite.admin, method });
      const text = await res.text();
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(JSON.parse(text)).toEqual({ error: { code: 'invalid_request', message } });
      expect(text).not.toContain('SECRET');
    }
  });

  it('still answers 404 for a well-formed id that names nothing', async () => {
    const res = await call(suite.app, `/api/v1/clients/${CLIENT_ID}/secrets/${SECRET_ID}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(res.status).toBe(404);
  });
});
