import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, { type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import { DEV_USERS, type DevUser, findDevUser } from './dev-users.js';
import { renderLoginPage } from './login-page.js';

export interface DevOidcProviderOptions {
  /** The runtime's `NODE_ENV`; the provider refuses to start for `production`. */
  readonly nodeEnv: string;
  /** Loopback interface to bind. Default 127.0.0.1. */
  readonly host?: string;
  /** Port to listen on; 0 picks a free one. Default 0. */
  readonly port?: number;
  readonly clientId: string;
  /** Secret of the client (`client_secret_post`). */
  readonly clientSecret: string;
  /**
   * Public keys of the client: when given, the client authenticates with a signed client assertion
   * (`private_key_jwt`, as Entra's federated credentials do) instead of its secret.
   */
  readonly clientJwks?: { readonly keys: readonly Record<string, unknown>[] };
  /** Exact redirect URIs the client may use (the runtime's `PUBLIC_URL/auth/callback`). */
  readonly redirectUris: readonly string[];
  /** Default: `DEV_USERS`. */
  readonly users?: readonly DevUser[];
}

export interface DevOidcProvider {
  /** The issuer URL (`http://127.0.0.1:<port>`): put it in `OIDC_ISSUER`. */
  readonly issuer: string;
  readonly provider: Provider;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
/** Longest accepted sign-in form body, in bytes. */
const MAX_FORM_BYTES = 4096;

/**
 * A local OpenID Connect provider (panva `oidc-provider`) for `npm run dev` and the sign-in tests: one confidential
 * client, PKCE required, the seeded users with a `roles` claim in the ID token (like Entra app roles), consent skipped
 * for that first-party client, and a small sign-in page. Listens on loopback only and refuses to start in production.
 */
export async function startDevOidcProvider(options: DevOidcProviderOptions): Promise<DevOidcProvider> {
  if (options.nodeEnv === 'production') {
    throw new Error('The local development OIDC provider never runs with NODE_ENV=production; configure a real IdP');
  }
  const host = options.host ?? '127.0.0.1';
  if (!LOOPBACK.has(host)) throw new Error(`The local development OIDC provider binds loopback only, not ${host}`);
  const users = options.users ?? DEV_USERS;

  // Listen first: the issuer URL must name the bound port.
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;

  const provider = new Provider(issuer, providerConfiguration(options, users));
  const oidc = provider.callback();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const route = /^\/interaction\/([\w-]+)(\/login)?$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!route) {
      oidc(req, res);
      return;
    }
    handleInteraction(provider, req, res, { users, clientId: options.clientId, login: route[2] !== undefined }).catch(
      (error: unknown) => {
        if (!res.headersSent) {
          res.writeHead(400, { 'Content-Type': 'text/plain; charset=utf-8' });
        }
        res.end(`Sign-in failed: ${(error as Error).message}`);
      },
    );
  });

  return {
    issuer,
    provider,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function providerConfiguration(options: DevOidcProviderOptions, users: readonly DevUser[]): Configuration {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'dev-idp-1', alg: 'RS256', use: 'sig' };
  return {
    clients: [
      {
        client_id: options.clientId,
        redirect_uris: [...options.redirectUris],
        response_types: ['code'],
        grant_types: ['authorization_code'],
        ...(options.clientJwks
          ? { token_endpoint_auth_method: 'private_key_jwt', jwks: { keys: [...options.clientJwks.keys] as never[] } }
          : { token_endpoint_auth_method: 'client_secret_post', client_secret: options.clientSecret }),
      },
    ],
    // `roles` with `openid`: every ID token carries it, as Entra does for assigned app roles.
    claims: { openid: ['sub', 'roles'], email: ['email', 'email_verified'], profile: ['name'] },
    // ID tokens carry the user's claims even in the code flow (Entra's behaviour), not only the userinfo endpoint.
    conformIdTokenClaims: false,
    pkce: { required: () => true },
    // Lifetimes in seconds, short: this IdP only exists for a development session or a test run.
    ttl: { AuthorizationCode: 60, AccessToken: 600, IdToken: 600, Interaction: 600, Session: 28_800, Grant: 28_800 },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    jwks: { keys: [jwk as never] },
    clientBasedCORS: () => false,
    findAccount: (_ctx, sub) => {
      const user = users.find((u) => u.sub === sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          email: user.email,
          email_verified: true,
          name: user.name,
          roles: [...user.roles],
        }),
      };
    },
    // First-party client: grant the requested OpenID scopes without a consent screen.
    loadExistingGrant: async (ctx: KoaContextWithOIDC) => {
      const { client, session, provider } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const existing = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      if (existing) return provider.Grant.find(existing);
      const grant = new provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope('openid email profile');
      await grant.save();
      return grant;
    },
  };
}

async function handleInteraction(
  provider: Provider,
  req: IncomingMessage,
  res: ServerResponse,
  page: { users: readonly DevUser[]; clientId: string; login: boolean },
): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  const submitUrl = `/interaction/${details.uid}/login`;
  const render = (status: number, error?: string) => {
    res.writeHead(status, {
      'Content-Type': 'text/html; charset=utf-8',
      'Cache-Control': 'no-store',
      'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'",
    });
    res.end(renderLoginPage({ submitUrl, users: page.users, clientId: page.clientId, error }));
  };
  if (!page.login || req.method !== 'POST') {
    render(200);
    return;
  }
  const email = new URLSearchParams(await readForm(req)).get('email') ?? '';
  const user = findDevUser(page.users, email);
  if (!user) {
    render(400, `No seeded account "${email}"; use one of the accounts below.`);
    return;
  }
  await provider.interactionFinished(req, res, { login: { accountId: user.sub } }, { mergeWithLastSubmission: false });
}

async function readForm(req: IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_FORM_BYTES) throw new Error('form too large');
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
