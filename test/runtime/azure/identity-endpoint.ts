import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the identity endpoint answered. */
export interface IdentityRequest {
  readonly resource: string | null;
  readonly clientId: string | null;
  readonly apiVersion: string | null;
  readonly header: string | undefined;
}

/**
 * A loopback server speaking the Container Apps (App Service 2019-08-01) managed identity protocol:
 * `GET <IDENTITY_ENDPOINT>?resource=<r>&api-version=2019-08-01[&client_id=<id>]` with `X-IDENTITY-HEADER:
 * <IDENTITY_HEADER>` answers `{access_token, expires_on, resource, token_type}` (expires_on in epoch seconds). A
 * wrong header gets 401 like the real endpoint; every token is unique (`mi-<n>-<resource>`) unless fixed per client id.
 */
export class IdentityEndpoint {
  readonly header = `identity-header-${process.pid}`;
  readonly requests: IdentityRequest[] = [];
  /** Lifetime of the tokens issued from now on, in seconds (from the real clock: the client library reads it). */
  lifetimeSeconds = 3600;
  /** Every token issued, in order. */
  readonly issued: Array<{ readonly token: string; readonly resource: string; readonly clientId: string | null }> = [];
  /** Fixed tokens by client id (e.g. one a test made a PostgreSQL role's password); others get `mi-<n>-<resource>`. */
  readonly fixedTokens = new Map<string, string>();
  /** Resources the endpoint refuses (400, as for a resource the identity may not get tokens for). */
  readonly refusedResources = new Set<string>();
  #server: Server | undefined;
  #issued = 0;

  async start(): Promise<string> {
    this.#server = createServer((req, res) => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const header = req.headers['x-identity-header'];
      const request: IdentityRequest = {
        resource: url.searchParams.get('resource'),
        clientId: url.searchParams.get('client_id'),
        apiVersion: url.searchParams.get('api-version'),
        header: typeof header === 'string' ? header : undefined,
      };
      this.requests.push(request);
      res.setHeader('content-type', 'application/json');
      if (request.header !== this.header) {
        res.statusCode = 401;
        res.end(JSON.stringify({ statusCode: 401, message: 'Unauthorized: invalid X-IDENTITY-HEADER' }));
        return;
      }
      if (request.apiVersion !== '2019-08-01' || !request.resource || this.refusedResources.has(request.resource)) {
        res.statusCode = 400;
        res.end(JSON.stringify({ statusCode: 400, message: 'api-version 2019-08-01 and resource are required' }));
        return;
      }
      this.#issued += 1;
      const token =
        (request.clientId && this.fixedTokens.get(request.clientId)) || `mi-${this.#issued}-${request.resource}`;
      this.issued.push({ token, resource: request.resource, clientId: request.clientId });
      res.end(
        JSON.stringify({
          access_token: token,
          expires_on: String(Math.floor(Date.now() / 1000) + this.lifetimeSeconds),
          resource: request.resource,
          token_type: 'Bearer',
          client_id: request.clientId ?? 'system-assigned',
        }),
      );
    });
    await new Promise<void>((resolve) => this.#server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}/msi/token`;
  }

  /** Requests for `resource` (e.g. `https://ossrdbms-aad.database.windows.net`). */
  requestsFor(resource: string): IdentityRequest[] {
    return this.requests.filter((request) => request.resource === resource);
  }

  /** Tokens issued for `resource` to the identity `clientId`. */
  tokensFor(resource: string, clientId: string): string[] {
    return this.issued.filter((t) => t.resource === resource && t.clientId === clientId).map((t) => t.token);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.#server?.close(() => resolve()) ?? resolve());
  }
}

/**
 * Points `ManagedIdentityCredential` at `endpoint` the way Container Apps does (environment variables the library
 * reads itself). Returns a function restoring the previous values.
 */
export function useIdentityEndpoint(endpointUrl: string, header: string): () => void {
  const previous = { IDENTITY_ENDPOINT: process.env.IDENTITY_ENDPOINT, IDENTITY_HEADER: process.env.IDENTITY_HEADER };
  process.env.IDENTITY_ENDPOINT = endpointUrl;
  process.env.IDENTITY_HEADER = header;
  return () => {
    for (const [name, value] of Object.entries(previous)) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}
