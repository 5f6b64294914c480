import type { Store } from '../../store/store.js';
import type { CredentialSource } from '../cache/credential-lookup.js';

/** What the token endpoint needs to know about a client: enough to check a secret and mint a token. */
export interface ClientAuthRecord {
  readonly clientId: string;
  readonly name: string;
  readonly orgId: string;
  readonly teamId: string | null;
  readonly scopes: readonly string[];
  /** Active (not revoked, not expired) secrets: row id, keyed hash and expiry (ISO, or null for none). */
  readonly secrets: ReadonlyArray<{ readonly id: string; readonly hash: string; readonly expiresAt: string | null }>;
}

/** The most secrets a client may have active at once: the current one and its replacement during a rotation. */
export const MAX_ACTIVE_CLIENT_SECRETS = 2;

export const splitScopes = (scopes: string): string[] => scopes.split(' ').filter(Boolean);

/**
 * Loads a client that has not been deleted, with its active secrets; undefined when there is no such client. Two
 * small indexed queries; the token endpoint caches the result (see `ClientAuthenticator`).
 */
export async function loadClientAuthRecord(store: Store, clientId: string): Promise<ClientAuthRecord | undefined> {
  const client = await store.db
    .selectFrom('api_clients')
    .select(['id', 'client_id', 'name', 'org_id', 'team_id', 'scopes'])
    .where('client_id', '=', clientId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  if (!client) return undefined;
  const secrets = await store.db
    .selectFrom('api_client_secrets')
    .select(['id', 'secret_hash', 'expires_at'])
    .where('client_ref', '=', client.id)
    .where('revoked_at', 'is', null)
    .orderBy('created_at')
    .execute();
  return {
    clientId: client.client_id,
    name: client.name,
    orgId: client.org_id,
    teamId: client.team_id,
    scopes: splitScopes(client.scopes),
    secrets: secrets.map((s) => ({ id: s.id, hash: s.secret_hash, expiresAt: s.expires_at })),
  };
}

/** API clients as `ClientAuthenticator` reads them: by client_id; a use is recorded on the secret that matched. */
export const clientAuthSource = (store: Store): CredentialSource<ClientAuthRecord> => ({
  load: (clientId) => loadClientAuthRecord(store, clientId),
  writeLastUsed: (secretId, at) =>
    store.db.updateTable('api_client_secrets').set({ last_used_at: at }).where('id', '=', secretId).execute(),
});
