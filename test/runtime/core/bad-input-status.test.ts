import { describe, expect, it } from 'vitest';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { call } from '../auth/helpers.js';

const errorLines = (logs: Array<Record<string, unknown>>) =>
  logs.filter((line) => line.level === 'error' || line.level === 'fatal');

describe.each(STORE_DIALECTS)('bad input answers 4xx on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('answers 400 for a path parameter that is not valid percent-encoding, logged below error', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/orgs/%'],
      ['DELETE', '/api/v1/api-keys/%'],
      ['POST', '/api/v1/api-keys/%E0%A4%A/rotate'],
      ['GET', '/api/v1/orgs/default/teams/%ZZ'],
    ] as const) {
      const res = await call(suite.app, path, { apiKey: suite.admin, method });
      expect({ path, status: res.status }).toEqual({ path, status: 400 });
      expect(await res.json()).toEqual({
        error: { code: 'invalid_request', message: 'A path parameter is not valid percent-encoding' },
      });
    }
    expect(errorLines(suite.app.logs)).toEqual([]);
  });

  it('answers 400 for a JSON body that does not decode as its Content-Encoding, logged below error', async () => {
    for (const encoding of ['gzip', 'br', 'deflate']) {
      const res = await fetch(`${suite.app.baseUrl}/api/v1/api-keys`, {
        method: 'POST',
        headers: { 'X-API-Key': suite.admin, 'Content-Type': 'application/json', 'Content-Encoding': encoding },
        body: '{"name":"not compressed","scopes":["search:read"]}',
      });
      expect({ encoding, status: res.status }).toEqual({ encoding, status: 400 });
      expect(await res.json()).toEqual({
        error: { code: 'invalid_request', message: 'The request body does not decode as its Content-Encoding' },
      });
    }
    expect(errorLines(suite.app.logs)).toEqual([]);
  });
});
