import { randomUUID } from 'node:crypto';
import { type CryptoKey, exportJWK, generateKeyPair, SignJWT } from 'jose';
import * as client from 'openid-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { managedIdentityClientAuth } from '../../../runtime/src/azure/client-assertion.js';
import { type DevOidcProvider, startDevOidcProvider } from '../../../runtime/src/dev/dev-oidc-provider.js';
import { RelyingParty } from '../../../runtime/src/signin/relying-party.js';
import type { TestApp } from '../../support/app.js';
import { REDIRECT_URI, TestBrowser } from './support/signin-harness.js';

const CLIENT_ID = 'gatehouse-federated';

/**
 * OIDC_CLIENT_AUTH=managed-identity: the code exchange authenticates with the managed identity's token as a
 * `client_assertion` (Entra federated credential). Here the "managed identity" is a fake credential whose tokens are
 * JWTs signed with a key the IdP trusts for the client (`private_key_jwt`), so the real path runs end to end:
 * `managedIdentityClientAuth` -> openid-client -> the IdP's token endpoint.
 */
describe('sign-in with a federated client assertion instead of a client secret', () => {
  let idp: DevOidcProvider;
  let trusted: CryptoKey;
  let untrusted: CryptoKey;
  beforeAll(async () => {
    const pair = await generateKeyPair('ES256');
    trusted = pair.privateKey;
    untrusted = (await generateKeyPair('ES256')).privateKey;
    const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'identity-1', alg: 'ES256', use: 'sig' };
    idp = await startDevOidcProvider({
      nodeEnv: 'test',
      clientId: CLIENT_ID,
      clientSecret: 'not-used-with-private-key-jwt',
      clientJwks: { keys: [jwk] },
      redirectUris: [REDIRECT_URI],
    });
  });
  afterAll(() => idp?.close());

  /** A relying party whose managed identity hands out assertions signed with `key`. */
  function relyingParty(key: CryptoKey): RelyingParty {
    const credential = {
      getToken: async () => ({
        token: await new SignJWT({})
          .setProtectedHeader({ alg: 'ES256', kid: 'identity-1' })
          .setIssuer(CLIENT_ID)
          .setSubject(CLIENT_ID)
          .setAudience(idp.issuer)
          .setJti(randomUUID())
          .setIssuedAt()
          .setExpirationTime('10m')
          .sign(key),
        expiresOnTimestamp: Date.now() + 600_000,
      }),
    };
    return new RelyingParty(
      {
        issuer: idp.issuer,
        clientId: CLIENT_ID,
        clientSecret: undefined,
        clientAssertion: { kind: 'managed-identity', clientId: undefined },
        audience: CLIENT_ID,
      },
      false,
      { clientAuth: managedIdentityClientAuth({ clientId: undefined, credential, refreshMarginSeconds: 0 }) },
    );
  }

  async function signIn(rp: RelyingParty) {
    const checks = {
      state: client.randomState(),
      nonce: client.randomNonce(),
      codeVerifier: client.randomPKCECodeVerifier(),
    };
    const authUrl = await rp.authorizationUrl({ redirectUri: REDIRECT_URI, ...checks });
    const callbackUrl = await new TestBrowser({ baseUrl: '' } as TestApp).authorizeAtIdp(authUrl, 'admin@example.test');
    return rp.exchange({ callbackUrl, ...checks });
  }

  it('exchanges the code with the assertion and validates the ID token', async () => {
    expect(await signIn(relyingParty(trusted))).toEqual({
      issuer: idp.issuer,
      subject: 'dev-admin',
      email: 'admin@example.test',
      name: 'Ada Admin',
      roles: ['admin'],
    });
  });

  it('fails the sign-in when the IdP does not trust the assertion', async () => {
    await expect(signIn(relyingParty(untrusted))).rejects.toMatchObject({
      code: 'unauthorized',
      message: 'The identity provider rejected the authorization code (invalid_client); start again at /auth/login',
    });
  });
});
