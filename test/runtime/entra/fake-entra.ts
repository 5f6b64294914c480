import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, type JWTPayload, SignJWT } from 'jose';

type PrivateKey = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

/**
 * An Entra ID tenant on loopback, as far as a resource server sees one: OIDC discovery at
 * `<issuer>/.well-known/openid-configuration` and the key set at `/<tenant>/discovery/v2.0/keys`, with real RS256
 * keys from jose. Keys can be added (rollover) and every JWKS download is counted.
 */
export class FakeEntra {
  readonly tenant = '72f988bf-86f1-41af-91ab-2d7cd011db47';
  readonly #keys = new Map<string, { privateKey: PrivateKey; jwk: JWK }>();
  /** Keys that exist (tokens can be signed) but are not in the JWKS yet. */
  readonly #unpublished = new Set<string>();
  #server: Server | undefined;
  #base = '';
  /** How many times the JWKS was downloaded. */
  jwksDownloads = 0;
  /** When set, discovery names this issuer instead of the real one (a misconfigured or hostile document). */
  discoveryIssuerOverride: string | undefined;

  get issuer(): string {
    return `${this.#base}/${this.tenant}/v2.0`;
  }

  async start(): Promise<void> {
    this.#server = createServer((req, res) => {
      const json = (body: unknown) => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify(body));
      };
      if (req.url === `/${this.tenant}/v2.0/.well-known/openid-configuration`) {
        json({
          issuer: this.discoveryIssuerOverride ?? this.issuer,
          jwks_uri: `${this.#base}/${this.tenant}/discovery/v2.0/keys`,
          token_endpoint: `${this.#base}/${this.tenant}/oauth2/v2.0/token`,
          authorization_endpoint: `${this.#base}/${this.tenant}/oauth2/v2.0/authorize`,
          id_token_signing_alg_values_supported: ['RS256'],
        });
        return;
      }
      if (req.url === `/${this.tenant}/discovery/v2.0/keys`) {
        this.jwksDownloads += 1;
        json({ keys: [...this.#keys].filter(([kid]) => !this.#unpublished.has(kid)).map(([, k]) => k.jwk) });
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()));
  }

  /** Creates an RS256 key; published in the JWKS unless `published` is false. */
  async addKey(kid: string, published = true): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    this.#keys.set(kid, { privateKey, jwk });
    if (!published) this.#unpublished.add(kid);
  }

  /** Publishes a key created with `published: false` (a rollover: the IdP starts using a new key). */
  publish(kid: string): void {
    this.#unpublished.delete(kid);
  }

  /** A token like Entra's v2.0 access tokens, signed with `kid` (claims override the defaults). */
  async token(kid: string, claims: JWTPayload, nowSeconds: number): Promise<string> {
    const key = this.#keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    return new SignJWT({ ver: '2.0', tid: this.tenant, ...claims })
      .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
      .setIssuer(typeof claims.iss === 'string' ? claims.iss : this.issuer)
      .setIssuedAt(nowSeconds)
      .setNotBefore(nowSeconds)
      .setExpirationTime(nowSeconds + 3600)
      .sign(key.privateKey);
  }
}
