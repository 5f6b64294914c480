import type { ClientAuth } from 'openid-client';
import type { AccessTokenSource } from './access-token-source.js';
import {
  AZURE_TOKEN_EXCHANGE_SCOPE,
  type ManagedIdentityOptions,
  managedIdentityTokenSource,
} from './managed-identity.js';

/** RFC 7523 client assertion type: the assertion is a JWT (here, one Entra issued to the managed identity). */
export const JWT_BEARER_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer';

/**
 * openid-client client authentication (`discovery(server, clientId, metadata, clientAuth)`) that presents the managed
 * identity's token for `api://AzureADTokenExchange` as `client_assertion`. Entra ID accepts it for the app
 * registration whose federated identity credential names this identity, so no client secret exists anywhere.
 * The assertion is cached and refreshed before it expires.
 */
export function managedIdentityClientAuth(options: ManagedIdentityOptions): ClientAuth {
  return clientAssertionAuth(managedIdentityTokenSource(AZURE_TOKEN_EXCHANGE_SCOPE, options));
}

/** `client_assertion` authentication from any token source (the managed identity in production). */
export function clientAssertionAuth(assertions: Pick<AccessTokenSource, 'getToken'>): ClientAuth {
  // openid-client's type says `void`, but oauth4webapi awaits the function (its own ClientAuth returns a promise).
  const authenticate = async (_server: unknown, client: { client_id: string }, body: URLSearchParams) => {
    body.set('client_id', client.client_id);
    body.set('client_assertion_type', JWT_BEARER_ASSERTION_TYPE);
    body.set('client_assertion', await assertions.getToken());
  };
  return authenticate as ClientAuth;
}
