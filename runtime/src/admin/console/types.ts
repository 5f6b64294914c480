/** The JSON shapes the console reads (see `/openapi.json` for the full schemas). */

export interface Me {
  readonly role: string | null;
  readonly auth_kind: string;
  readonly org_id: string;
  readonly team_id: string | null;
  readonly subject: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly permissions: readonly string[];
}

export interface User {
  readonly id: string;
  readonly email: string | null;
  readonly name: string | null;
  readonly role: string;
  readonly last_sign_in_at: string | null;
  readonly disabled: boolean;
}

export interface ApiKey {
  readonly id: string;
  readonly key_id: string;
  readonly name: string;
  readonly description: string | null;
  readonly scopes: readonly string[];
  readonly status: 'active' | 'rotating' | 'expired' | 'revoked';
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly grace_until: string | null;
  /** Requests per minute; 0 unlimited; null the runtime's default. */
  readonly rate_limit_per_minute: number | null;
}

export interface IssuedApiKey {
  readonly id: string;
  readonly key_id: string;
  readonly api_key: string;
  readonly name: string;
}

export interface RotatedApiKey extends IssuedApiKey {
  readonly previous_key_id: string;
  readonly previous_key_valid_until: string;
}

export interface ClientSecret {
  readonly secret_id: string;
  readonly created_at: string;
  readonly last_used_at: string | null;
}

export interface ApiClient {
  readonly client_id: string;
  readonly name: string;
  readonly scopes: readonly string[];
  readonly secrets: readonly ClientSecret[];
  readonly created_by: string;
  readonly created_at: string;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly kind: string;
  readonly outcome: 'success' | 'failure';
  readonly actor_kind: string | null;
  readonly actor_subject: string | null;
  readonly credential_id: string | null;
  readonly org_id: string | null;
  readonly target: string | null;
  readonly reason: string | null;
  readonly ip: string | null;
  readonly user_agent: string | null;
  readonly details: Readonly<Record<string, unknown>> | null;
}

export interface Team {
  readonly id: string;
  readonly org_id: string;
  readonly slug: string;
  readonly name: string;
  readonly created_at: string;
}

export interface TokenSummary {
  readonly token_id: string;
  readonly kind: 'team' | 'admin';
  readonly team_id: string | null;
  readonly name: string | null;
  readonly permissions: readonly string[];
  readonly created_by: string;
  readonly created_at: string;
  readonly expires_at: string | null;
  readonly last_used_at: string | null;
  readonly status: 'active' | 'expired' | 'revoked';
}

export interface IssuedToken extends TokenSummary {
  readonly token: string;
}

export interface SigningKey {
  readonly kid: string;
  readonly alg: string;
  readonly state: string;
  readonly created_at: string;
  readonly activated_at: string;
  readonly retire_after: string | null;
  readonly retired_at: string | null;
}
