import type { TokenCredential } from '@azure/identity';
import type { Clock } from '../clock.js';
import { AccessTokenSource } from './access-token-source.js';

/** Scope of Azure Database for PostgreSQL tokens (Entra authentication): the token is the password. */
export const AZURE_POSTGRES_SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';
/** Scope of the token a managed identity presents as a federated client assertion to Entra ID. */
export const AZURE_TOKEN_EXCHANGE_SCOPE = 'api://AzureADTokenExchange/.default';

/** What selects the managed identity; `clientId` picks a user-assigned identity (`AZURE_CLIENT_ID`). */
export interface ManagedIdentityOptions {
  /** Client id of the user-assigned identity; undefined uses the system-assigned identity. */
  readonly clientId: string | undefined;
  /** Token source for tests; default `ManagedIdentityCredential`, which on Container Apps calls the identity endpoint. */
  readonly credential?: TokenCredential;
  readonly clock?: Clock;
  /** Seconds before expiry to refresh. Default 300. */
  readonly refreshMarginSeconds?: number;
}

/**
 * An `AccessTokenSource` for `scope` backed by the managed identity. On Container Apps, `ManagedIdentityCredential`
 * reads `IDENTITY_ENDPOINT` and `IDENTITY_HEADER` (set by the platform) and calls
 * `GET $IDENTITY_ENDPOINT?resource=...&api-version=2019-08-01&client_id=...` with `X-IDENTITY-HEADER`.
 */
export function managedIdentityTokenSource(scope: string, options: ManagedIdentityOptions): AccessTokenSource {
  const credential = options.credential ?? lazyManagedIdentityCredential(options.clientId);
  return new AccessTokenSource({
    credential,
    scope,
    clock: options.clock,
    refreshMarginSeconds: options.refreshMarginSeconds,
  });
}

/**
 * `ManagedIdentityCredential`, loaded on the first token request: @azure/identity takes ~300 ms to import, which every
 * start (SQLite, local development, the CLI) would otherwise pay without ever using it.
 */
function lazyManagedIdentityCredential(clientId: string | undefined): TokenCredential {
  let credential: Promise<TokenCredential> | undefined;
  return {
    getToken: async (scopes, options) => {
      credential ??= import('@azure/identity').then(({ ManagedIdentityCredential }) =>
        clientId ? new ManagedIdentityCredential({ clientId }) : new ManagedIdentityCredential(),
      );
      return (await credential).getToken(scopes, options);
    },
  };
}
