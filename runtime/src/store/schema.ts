/**
 * Row types of every table. Conventions, the same in both dialects:
 * - ids are random prefixed text (`newId`), except `orgs.id` which is a readable slug (`default`);
 * - timestamps are ISO-8601 UTC text (`2025-01-31T12:00:00.000Z`), so they sort and compare as text;
 * - scope lists are space-separated text (OAuth style); JSON documents are text;
 * - secrets are never stored, only `secret_hash` = hex HMAC-SHA-256(pepper, secret).
 */

export interface OrgsTable {
  id: string;
  name: string;
  /** Org policy: lifetime of new team tokens in seconds; null means the runtime default. */
  team_token_ttl_seconds: number | null;
  /** Org policy: lifetime of new org admin tokens in seconds; null means the runtime default. */
  admin_token_ttl_seconds: number | null;
  created_at: string;
  updated_at: string;
}

export interface TeamsTable {
  id: string;
  org_id: string;
  /** URL-safe name, unique within the org (`/orgs/{org}/teams/{slug}`). */
  slug: string;
  name: string;
  created_at: string;
}

export interface UsersTable {
  id: string;
  issuer: string;
  subject: string;
  email: string | null;
  name: string | null;
  role: string;
  org_id: string;
  team_id: string | null;
  created_at: string;
  updated_at: string;
  last_sign_in_at: string | null;
  disabled_at: string | null;
}

export interface ApiKeysTable {
  id: string;
  /** Public, fixed-length part of the key; unique. */
  key_id: string;
  secret_hash: string;
  /** `live` or `test` (the key's `sk_live_` / `sk_test_` prefix). */
  environment: string;
  name: string;
  description: string | null;
  /** Role the key acts as (e.g. `admin` for the bootstrap key); null means scopes only. */
  role: string | null;
  scopes: string;
  owner_kind: string;
  owner_subject: string;
  org_id: string;
  team_id: string | null;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
  revoked_reason: string | null;
  /** Id of the key this one replaced (rotation). */
  rotated_from: string | null;
  /** When a rotated-away key stops working (the end of its grace period). */
  grace_until: string | null;
  /** The key's own request budget per minute (0: unlimited); null: `RATE_LIMIT_API_KEY_PER_MINUTE`. */
  rate_limit_per_minute: number | null;
}

export interface ApiClientsTable {
  id: string;
  /** Public OAuth `client_id`; unique. */
  client_id: string;
  name: string;
  scopes: string;
  org_id: string;
  team_id: string | null;
  created_by: string;
  created_at: string;
  revoked_at: string | null;
}

export interface ApiClientSecretsTable {
  id: string;
  /** `api_clients.id` */
  client_ref: string;
  secret_hash: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface TeamTokensTable {
  /** The public `<tokid>` part of `<tokid>.<toksecret>`. */
  token_id: string;
  secret_hash: string;
  /** `team` or `admin` (org-wide admin token). */
  kind: string;
  org_id: string;
  team_id: string | null;
  name: string | null;
  scopes: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  last_used_at: string | null;
  revoked_at: string | null;
}

export interface RefreshTokensTable {
  id: string;
  /** All tokens descending from one sign-in share a family; reuse revokes the family. */
  family_id: string;
  token_hash: string;
  parent_id: string | null;
  user_id: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
  revoked_at: string | null;
}

/** One sign-in session; its refresh tokens share its id as `family_id` (migration 0004). */
export interface RefreshTokenFamiliesTable {
  id: string;
  user_id: string;
  created_at: string;
  last_rotated_at: string | null;
  /** Set by logout, refresh-token reuse or a disabled user; every token of the family stops working. */
  revoked_at: string | null;
  /** `logout`, `reuse`, `user_disabled`, `revoked` (RFC 7009). */
  revoked_reason: string | null;
}

export interface LoginStatesTable {
  id: string;
  state_hash: string;
  nonce: string;
  code_verifier_encrypted: string;
  return_to: string | null;
  created_at: string;
  expires_at: string;
  consumed_at: string | null;
}

export interface WsTicketsTable {
  id: string;
  ticket_hash: string;
  subject: string;
  /** JSON of the principal the ticket stands for. */
  principal: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface SigningKeysTable {
  kid: string;
  alg: string;
  /** JSON of the public JWK (with `kid`, `alg`, `use`). */
  public_jwk: string;
  /** AES-256-GCM envelope of the private JWK (`keys/key-encryption.ts`). */
  private_jwk_encrypted: string;
  /** `active` (signs), `retiring` (verifies until `retire_after`), `retired` (neither). */
  state: string;
  created_at: string;
  activated_at: string;
  retire_after: string | null;
  retired_at: string | null;
}

export interface AuditEventsTable {
  id: string;
  at: string;
  kind: string;
  /** `success` or `failure`. */
  outcome: string;
  actor_kind: string | null;
  actor_subject: string | null;
  credential_id: string | null;
  org_id: string | null;
  target: string | null;
  reason: string | null;
  ip: string | null;
  user_agent: string | null;
  /** JSON object; never contains a secret. */
  details: string | null;
}

/** Access tokens revoked before their expiry (migration 0002); rows are pruned once `expires_at` passes. */
export interface RevokedAccessTokensTable {
  jti: string;
  expires_at: string;
  revoked_at: string;
}

/**
 * The password of a local (break-glass) account, one per `users` row made by `gatehouse local-user add` (migration
 * 0005). The user's issuer is `urn:gatehouse:local` and its subject the lower-cased e-mail.
 */
export interface LocalCredentialsTable {
  user_id: string;
  /** argon2id PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`): parameters and salt travel with the hash. */
  password_hash: string;
  password_changed_at: string;
  created_at: string;
}

/** Failed local logins per username, existing or not (migration 0005); a row ends with a success or by age. */
export interface LocalLoginFailuresTable {
  /** The username as presented, trimmed and lower-cased. */
  username: string;
  /** Failures in a row, each within the lockout window of the one before. */
  failures: number;
  last_failed_at: string;
  /** Set when `failures` reached the limit: logins are refused (429) until then. */
  locked_until: string | null;
}

/** Kysely's bookkeeping of applied migrations is not listed: it is managed by `Migrator`. */
export interface Database {
  orgs: OrgsTable;
  teams: TeamsTable;
  users: UsersTable;
  api_keys: ApiKeysTable;
  api_clients: ApiClientsTable;
  api_client_secrets: ApiClientSecretsTable;
  team_tokens: TeamTokensTable;
  refresh_tokens: RefreshTokensTable;
  refresh_token_families: RefreshTokenFamiliesTable;
  login_states: LoginStatesTable;
  ws_tickets: WsTicketsTable;
  signing_keys: SigningKeysTable;
  audit_events: AuditEventsTable;
  revoked_access_tokens: RevokedAccessTokensTable;
  local_credentials: LocalCredentialsTable;
  local_login_failures: LocalLoginFailuresTable;
}
