import { expandRole } from '../../../catalog/index.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import { type Clock, isoNow } from '../clock.js';
import type { Config } from '../config.js';
import { newId } from '../ids.js';
import type { Store } from '../store/store.js';
import { API_KEY_HEADER, apiKeyEnvironmentFor, generateApiKey, hashApiKeySecret } from './api-key-format.js';

/** The org every fresh store has; bootstrap keys belong to it. */
export const DEFAULT_ORG_ID = 'default';
export const ADMIN_ROLE = 'admin';

export interface BootstrapAdminKey {
  readonly id: string;
  readonly key_id: string;
  /** The full key. Printed once; the store keeps only its hash. */
  readonly api_key: string;
  readonly name: string;
  readonly role: string;
  readonly scopes: readonly string[];
  readonly org_id: string;
  readonly created_at: string;
  readonly expires_at: null;
  readonly header_name: typeof API_KEY_HEADER;
}

const NAME_PATTERN = /^[\w .:@-]{1,100}$/;

/**
 * Creates an API key that acts as `admin` (every permission of the catalog's admin role) in the default org: the one
 * way to get a first credential without an IdP. Revocable like any other key; audited as `api_key.bootstrap`.
 */
export async function createBootstrapAdminKey(
  deps: { store: Store; config: Config; clock: Clock; audit: AuditWriter },
  name: string,
): Promise<BootstrapAdminKey> {
  if (!NAME_PATTERN.test(name)) {
    throw new Error('--name must be 1-100 characters: letters, digits, space, "_", ".", ":", "@" or "-"');
  }
  const { store, config, clock, audit } = deps;
  const scopes = expandRole(config.catalog, ADMIN_ROLE);
  const key = generateApiKey(apiKeyEnvironmentFor(config.isProduction));
  const id = newId('key');
  const createdAt = isoNow(clock);
  await store.db
    .insertInto('api_keys')
    .values({
      id,
      key_id: key.keyId,
      secret_hash: hashApiKeySecret(config.apiKeyPepper, key.secret),
      environment: key.environment,
      name,
      description: 'Bootstrap admin key created with `gatehouse bootstrap-admin`',
      role: ADMIN_ROLE,
      scopes: scopes.join(' '),
      owner_kind: 'bootstrap',
      owner_subject: `bootstrap:${name}`,
      org_id: DEFAULT_ORG_ID,
      team_id: null,
      created_at: createdAt,
      expires_at: null,
      last_used_at: null,
      revoked_at: null,
      revoked_reason: null,
      rotated_from: null,
      grace_until: null,
    })
    .execute();
  await audit.record({
    kind: 'api_key.bootstrap',
    outcome: 'success',
    actor: { kind: 'cli', subject: `bootstrap:${name}` },
    credentialId: key.keyId,
    orgId: DEFAULT_ORG_ID,
    target: id,
    details: { name, role: ADMIN_ROLE },
  });
  return {
    id,
    key_id: key.keyId,
    api_key: key.apiKey,
    name,
    role: ADMIN_ROLE,
    scopes,
    org_id: DEFAULT_ORG_ID,
    created_at: createdAt,
    expires_at: null,
    header_name: API_KEY_HEADER,
  };
}
