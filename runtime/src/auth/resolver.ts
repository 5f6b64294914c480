import type { IncomingMessage } from 'node:http';
import type { Principal } from './principal.js';

/**
 * Where a credential was found on the request, in the order `authenticate` looks. `ws_ticket` is a forward-auth-only
 * place (`GET /auth/verify`, see `AuthenticatorOptions.forwardAuthSources`): no other route ever presents it, so a resolver
 * listening only there cannot authenticate an ordinary API call.
 */
export type CredentialSource = 'cookie' | 'bearer' | 'api_key' | 'ws_ticket';

/** What a resolver gets besides the credential: the request and its (proxy-aware) caller address. */
export interface AuthRequest {
  readonly req: IncomingMessage;
  /** Client address after `trust proxy` (X-Forwarded-For only from private hops). */
  readonly ip: string;
  readonly userAgent: string | null;
}

/**
 * One credential kind. `matches` recognizes the credential's SHAPE only (cheap, no I/O, no secret check); the first
 * resolver in the composition root's list that matches owns the credential and must `resolve` it to a `Principal` or throw an `AppError`:
 * `unauthorized` (unknown, bad secret, revoked, malformed) or `token_expired` (only after the secret verified). Put a
 * short fixed word in the error's `reason` (`unknown`, `bad_secret`, `revoked`, `expired`, `signature`, ...): it labels
 * metrics and decides whether the failure counts toward the per-IP brute-force limit.
 */
export interface CredentialResolver {
  /** Credential kind for metrics and logs: `access_token`, `api_key`, `team_token`, `entra_jwt`, ... */
  readonly name: string;
  readonly sources: readonly CredentialSource[];
  matches(credential: string, source: CredentialSource): boolean;
  resolve(credential: string, request: AuthRequest): Promise<Principal>;
}

/** Failure reasons that do NOT count toward the brute-force limit: the caller proved it held a real credential. */
export const NON_GUESSING_REASONS: ReadonlySet<string> = new Set(['expired', 'revoked']);
