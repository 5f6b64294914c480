import { describe, expect, it } from 'vitest';
import { STORE_DIALECTS } from '../../support/databases.js';
import { errorBody, REDIRECT_URI, TestBrowser, useSigninSuite } from './support/signin-harness.js';

const SPA = 'http://localhost:18480';
const REFUSED = errorBody(
  'invalid_request',
  `query.redirect_uri: must be ${REDIRECT_URI} or one of ALLOWED_REDIRECT_URIS, exactly`,
);

describe.each(STORE_DIALECTS)('SPA redirect_uri (%s)', (dialect) => {
  const suite = useSigninSuite(dialect, { ALLOWED_ORIGINS: SPA, ALLOWED_REDIRECT_URIS: `${SPA}/callback` });

  const login = (redirectUri: string) =>
    new TestBrowser(suite.app).request(`/auth/login?redirect_uri=${encodeURIComponent(redirectUri)}`, {
      headers: { Accept: 'application/json' },
    });

  it('accepts an allowed redirect URI, compared after normalisation, and sends the IdP the configured form', async () => {
    for (const given of [`${SPA}/callback`, 'HTTP://LOCALHOST:18480/callback', REDIRECT_URI]) {
      const res = await login(given);
      expect({ given, status: res.status }).toEqual({ given, status: 200 });
      const { auth_url } = (await res.json()) as { auth_url: string };
      const sent = new URL(auth_url).searchParams.get('redirect_uri');
      expect(sent).toBe(given === REDIRECT_URI ? REDIRECT_URI : `${SPA}/callback`);
    }
  });

  it('refuses anything else on an allowed origin, including parser-confusion forms', async () => {
    for (const given of [
      `${SPA}\\@evil.test/`,
      `${SPA}\\@evil.test/callback`,
      `${SPA}/`,
      `${SPA}/callback/../other`,
      `${SPA}/callback?x=1`,
      `${SPA}/callback#frag`,
      'http://user@localhost:18480/callback',
      `${SPA}/callbackx`,
      'https://evil.test/callback',
    ]) {
      const res = await login(given);
      expect({ given, status: res.status }).toEqual({ given, status: 400 });
      expect(await res.json()).toEqual(REFUSED);
    }
  });
});
