import type { IncomingMessage } from 'node:http';
import type { AuditContext } from '../credentials/audit-context.js';

/**
 * RFC 7662 members of an active token's introspection response (`active: true` is added by the endpoint). Members
 * that do not apply to a kind are left out.
 */
export interface IntrospectionClaims {
  readonly scope?: string;
  readonly client_id?: string;
  readonly username?: string;
  /** `Bearer` for everything sent as `Authorization: Bearer`; `api_key`/`refresh_token` for the others. */
  readonly token_type?: string;
  readonly exp?: number;
  readonly iat?: number;
  readonly nbf?: number;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly iss?: string;
  readonly jti?: string;
  /** gatehouse extensions: the contract's `auth_kind`, org and team of the credential. */
  readonly auth_kind?: string;
  readonly org_id?: string;
  readonly team_id?: string | null;
  readonly role?: string | null;
}

/** What a kind knows about a live token: its introspection claims and who may act on it. */
export interface TokenFacts {
  readonly claims: IntrospectionClaims;
  /** The org the token belongs to: only callers of that org see it active or may revoke it. */
  readonly orgId: string;
  /** The team the token is bound to, if any: a team-bound caller only sees its own team's tokens. */
  readonly teamId: string | null;
  /** The API client the token was issued to (client_credentials tokens): that client may revoke it itself. */
  readonly issuedTo: string | null;
  /** Public id for audit rows (jti, key_id, token_id, refresh token id); never a secret. */
  readonly credentialId: string;
}

/**
 * The introspection or revocation request a kind acts for: who asked (for audit rows) and the HTTP request itself
 * (`req.principal` is the caller when it authenticated with a Bearer credential).
 */
export interface TokenRequest extends AuditContext {
  readonly req: IncomingMessage;
}

/** Who revokes, for the kind's audit row. */
export type RevocationRequest = TokenRequest;

/**
 * One kind of token `/oauth2/introspect` and `/oauth2/revoke` understand, written by the module that owns the
 * credential and listed in the composition root: access tokens, team/admin tokens, API keys, refresh tokens (browser
 * sign-in), and Entra tokens when an IdP is configured.
 */
export interface TokenKind {
  /** Short name for logs and metrics: `access_token`, `api_key`, `team_token`, `refresh_token`, `entra_jwt`. */
  readonly name: string;
  /** `token_type_hint` values (RFC 7009/7662) that point at this kind; a hint only orders the search. */
  readonly hints: readonly string[];
  /** Shape test only (no I/O, no secret check). */
  matches(token: string): boolean;
  /** Facts of a live token (valid secret/signature, not expired, not revoked), else null. Never throws for a bad token. */
  introspect(token: string, request: TokenRequest): Promise<TokenFacts | null>;
  /**
   * Revokes a token `introspect` just vouched for (the endpoint has checked the caller may). Omit for tokens this
   * server cannot revoke (e.g. another issuer's JWTs): `/oauth2/revoke` then answers `unsupported_token_type`.
   */
  revoke?(token: string, facts: TokenFacts, request: RevocationRequest): Promise<void>;
}

/** The kinds of one app, asked in the composition root's order (a matching `token_type_hint` goes first). */
export class TokenKindRegistry {
  readonly #kinds: readonly TokenKind[];

  constructor(kinds: readonly TokenKind[]) {
    const names = kinds.map((k) => k.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new Error(`Two token kinds are named "${repeated}"`);
    this.#kinds = kinds;
  }

  /** Kinds whose shape `token` has, hinted kinds first. */
  candidates(token: string, hint: string | undefined): TokenKind[] {
    const matching = this.#kinds.filter((k) => k.matches(token));
    if (!hint) return matching;
    return [...matching.filter((k) => k.hints.includes(hint)), ...matching.filter((k) => !k.hints.includes(hint))];
  }

  /** The first kind that vouches for `token`, with its facts; undefined when no kind does (unknown or dead token). */
  async find(
    token: string,
    hint: string | undefined,
    request: TokenRequest,
  ): Promise<{ kind: TokenKind; facts: TokenFacts } | undefined> {
    for (const kind of this.candidates(token, hint)) {
      const facts = await kind.introspect(token, request);
      if (facts) return { kind, facts };
    }
    return undefined;
  }
}
