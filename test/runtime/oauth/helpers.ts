import * as oidc from 'openid-client';
import type { Env } from '../../../runtime/src/config.js';
import type { StoreDialect } from '../../../runtime/src/store/store.js';
import { type StartTestAppOptions, startTestApp, type TestApp } from '../../support/app.js';
import { freePort } from '../../support/free-port.js';
import { call, randomIp } from '../auth/helpers.js';

/**
 * The app with PUBLIC_URL equal to the address it listens on, so a real OAuth client (openid-client) can discover
 * it: the metadata's issuer and endpoints must be where the client reaches them.
 */
export async function startDiscoverableApp(
  dialect: StoreDialect,
  env: Env = {},
  options: Partial<StartTestAppOptions> = {},
): Promise<TestApp> {
  const port = await freePort();
  return startTestApp({
    dialect,
    ...options,
    env: { PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, ...env },
  });
}

export interface CreatedClient {
  readonly client_id: string;
  readonly client_secret: string;
  readonly secret_id: string;
  readonly token_endpoint: string;
  readonly scopes: string[];
}

/** Creates an API client through the API; fails unless the answer is 201. */
export async function createClient(
  app: Pick<TestApp, 'baseUrl'>,
  adminKey: string,
  scopes: string[],
  name = 'integration',
): Promise<CreatedClient> {
  const res = await call(app, '/api/v1/clients', { apiKey: adminKey, body: { name, scopes } });
  if (res.status !== 201) throw new Error(`create client answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreatedClient;
}

/** `Authorization: Basic` for a client (RFC 6749 2.3.1: each part form-urlencoded first). */
export const basic = (clientId: string, secret: string): string =>
  `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`).toString('base64')}`;

/** POSTs a form to an OAuth endpoint of the app, from a fresh client address unless `ip` is given. */
export function postForm(
  app: Pick<TestApp, 'baseUrl'>,
  path: string,
  form: Record<string, string>,
  options: { authorization?: string; ip?: string; contentType?: string; rawBody?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = {
    'Content-Type': options.contentType ?? 'application/x-www-form-urlencoded',
    'X-Forwarded-For': options.ip ?? randomIp(),
    'User-Agent': 'gatehouse-tests/1.0',
  };
  if (options.authorization) headers.Authorization = options.authorization;
  return fetch(`${app.baseUrl}${path}`, {
    method: 'POST',
    headers,
    body: options.rawBody ?? new URLSearchParams(form).toString(),
  });
}

/** An access token for `client` through the token endpoint (client_secret_basic); fails unless 200. */
export async function clientToken(app: Pick<TestApp, 'baseUrl'>, client: CreatedClient, scope?: string) {
  const res = await postForm(
    app,
    '/oauth2/token',
    { grant_type: 'client_credentials', ...(scope ? { scope } : {}) },
    { authorization: basic(client.client_id, client.client_secret) },
  );
  if (res.status !== 200) throw new Error(`token endpoint answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as { access_token: string; token_type: string; expires_in: number; scope: string };
}

/** openid-client configured for `client` by RFC 8414 discovery of the app (plain http on loopback allowed). */
export function discover(
  app: Pick<TestApp, 'baseUrl'>,
  client: Pick<CreatedClient, 'client_id' | 'client_secret'>,
  method: 'client_secret_basic' | 'client_secret_post' = 'client_secret_basic',
): Promise<oidc.Configuration> {
  const auth =
    method === 'client_secret_basic'
      ? oidc.ClientSecretBasic(client.client_secret)
      : oidc.ClientSecretPost(client.client_secret);
  return oidc.discovery(new URL(app.baseUrl), client.client_id, undefined, auth, {
    algorithm: 'oauth2',
    execute: [oidc.allowInsecureRequests],
  });
}
