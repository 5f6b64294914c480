import { describe, expect, it } from 'vitest';
import { ApiKeyRecords } from '../../../runtime/src/credentials/api-keys/api-key-records.js';
import { ApiKeyResolver } from '../../../runtime/src/credentials/api-keys/api-key-resolver.js';
import { VerifiedSecretMemo } from '../../../runtime/src/crypto/verified-secret-memo.js';
import { SecretBytes } from '../../../runtime/src/secret-bytes.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { withLastCharacterChanged } from '../../support/tamper.js';
import { call, createKey, forgeSecret } from '../auth/helpers.js';
import { basic, createClient, postForm } from '../oauth/helpers.js';

describe('VerifiedSecretMemo', () => {
  it('recognises only the secret remembered for that holder', () => {
    const memo = new VerifiedSecretMemo();
    const entry = {};
    const other = {};
    const right = memo.digest('right-secret');
    expect(memo.matches(entry, right)).toBe(false);
    memo.remember(entry, right);
    expect(memo.matches(entry, right)).toBe(true);
    expect(memo.matches(entry, memo.digest('wrong-secret'))).toBe(false);
    expect(memo.matches(other, right)).toBe(false);
  });

  it('digests deterministically and distinctly', () => {
    const memo = new VerifiedSecretMemo();
    expect(memo.digest('a')).toBe(memo.digest('a'));
    expect(memo.digest('a')).not.toBe(memo.digest('b'));
    expect(memo.digest('a')).toMatch(/^[0-9a-f]{64}$/);
  });
});

/**
 * Once a secret verified against a cached credential, later presentations skip the HMAC. These check that the short
 * cut never accepts anything the full check would refuse: another secret for the same id, or the remembered secret
 * after the credential was revoked or its secret removed.
 */
describe('credentials with a remembered secret', () => {
  const suite = useAppWithAdmin('sqlite');

  it('API key: a repeated secret is recognised without the HMAC; any other secret still pays it', async () => {
    // The pepper is only revealed to compute the HMAC, so counting reveals counts HMACs.
    const real = suite.app.ctx.config.apiKeyPepper;
    let hmacs = 0;
    const counting = Object.assign(Object.create(SecretBytes.prototype), {
      reveal: () => {
        hmacs++;
        return real.reveal();
      },
    }) as SecretBytes;
    const ctx = { ...suite.app.ctx, config: { ...suite.app.ctx.config, apiKeyPepper: counting } };
    const resolver = new ApiKeyResolver(
      ctx,
      new ApiKeyRecords(suite.app.store, suite.app.clock),
      suite.app.services.bus,
    );
    const request = { req: {} as never, ip: '198.18.0.9', userAgent: null };
    for (let i = 0; i < 3; i++) await resolver.resolve(suite.admin, request);
    expect(hmacs).toBe(1);
    await expect(resolver.resolve(forgeSecret(suite.admin), request)).rejects.toMatchObject({ reason: 'bad_secret' });
    expect(hmacs).toBe(2);
    await resolver.resolve(suite.admin, request);
    expect(hmacs).toBe(2);
  });

  it('API key: a forged secret for a warm key is refused, and the remembered one dies with the revocation', async () => {
    const key = await createKey(suite.app, suite.admin, { name: 'memo', scopes: ['graph:read'] });
    for (let i = 0; i < 3; i++) expect((await call(suite.app, '/auth/me', { apiKey: key.api_key })).status).toBe(200);
    const forged = await call(suite.app, '/auth/me', { apiKey: forgeSecret(key.api_key) });
    expect(forged.status).toBe(401);
    expect(await forged.json()).toEqual({ error: { code: 'unauthorized', message: 'Invalid API key' } });
    expect((await call(suite.app, '/auth/me', { apiKey: key.api_key })).status).toBe(200);
    const revoked = await call(suite.app, `/api/v1/api-keys/${key.id}`, { apiKey: suite.admin, method: 'DELETE' });
    expect(revoked.status).toBe(204);
    const after = await call(suite.app, '/auth/me', { apiKey: key.api_key });
    expect(after.status).toBe(401);
    expect(await after.json()).toEqual({ error: { code: 'unauthorized', message: 'The API key has been revoked' } });
  });

  it('API client: a wrong secret after the right one is refused, and a removed secret stops working', async () => {
    const client = await createClient(suite.app, suite.admin, ['search:read']);
    const token = (secret: string) =>
      postForm(
        suite.app,
        '/oauth2/token',
        { grant_type: 'client_credentials' },
        {
          authorization: basic(client.client_id, secret),
        },
      );
    for (let i = 0; i < 3; i++) expect((await token(client.client_secret)).status).toBe(200);
    const wrong = await token(withLastCharacterChanged(client.client_secret));
    expect(wrong.status).toBe(401);
    expect(await wrong.json()).toEqual({ error: 'invalid_client', error_description: 'Client authentication failed' });
    const added = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets`, {
      apiKey: suite.admin,
      body: {},
    });
    expect(added.status).toBe(201);
    const second = (await added.json()) as { client_secret: string };
    expect((await token(second.client_secret)).status).toBe(200);
    expect((await token(client.client_secret)).status).toBe(200);
    const removed = await call(suite.app, `/api/v1/clients/${client.client_id}/secrets/${client.secret_id}`, {
      apiKey: suite.admin,
      method: 'DELETE',
    });
    expect(removed.status).toBe(204);
    expect((await token(client.client_secret)).status).toBe(401);
    expect((await token(second.client_secret)).status).toBe(200);
  });

  it('team token: another secret for a warm token id is refused, and the remembered one dies with the revocation', async () => {
    const team = await call(suite.app, '/api/v1/orgs/default/teams', {
      apiKey: suite.admin,
      body: { slug: 'memo', name: 'Memo' },
    });
    expect(team.status).toBe(201);
    const issued = await call(suite.app, '/api/v1/orgs/default/teams/memo/tokens', {
      apiKey: suite.admin,
      body: { name: 'ci' },
    });
    expect(issued.status).toBe(201);
    const { token, token_id } = (await issued.json()) as { token: string; token_id: string };
    for (let i = 0; i < 3; i++) expect((await call(suite.app, '/auth/me', { bearer: token })).status).toBe(200);
    const [id, secret] = token.split('.') as [string, string];
    const other = `${id}.${withLastCharacterChanged(secret)}`;
    const refused = await call(suite.app, '/auth/me', { bearer: other });
    expect(refused.status).toBe(401);
    expect((await call(suite.app, '/auth/me', { bearer: token })).status).toBe(200);
    const revoked = await call(suite.app, '/api/v1/tokens/revoke', { apiKey: suite.admin, body: { token_id } });
    expect(revoked.status).toBe(200);
    expect((await call(suite.app, '/auth/me', { bearer: token })).status).toBe(401);
  });
});
