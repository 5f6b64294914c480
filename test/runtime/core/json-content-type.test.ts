import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';

describe.each(STORE_DIALECTS)('JSON bodies on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('says a JSON body without Content-Type: application/json lacks its content type', async () => {
    const body = JSON.stringify({ name: 'no content type', scopes: ['search:read'] });
    const missing = await fetch(`${suite.app.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'X-API-Key': suite.admin },
      body: new TextEncoder().encode(body),
    });
    expect(missing.status).toBe(400);
    expect(await missing.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request body has no Content-Type: send JSON with Content-Type: application/json',
      },
    });
    const wrong = await fetch(`${suite.app.baseUrl}/api/v1/api-keys`, {
      method: 'POST',
      headers: { 'X-API-Key': suite.admin, 'Content-Type': 'text/plain' },
      body,
    });
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({
      error: {
        code: 'invalid_request',
        message: 'The request body must be JSON sent with Content-Type: application/json',
      },
    });
  });
});
