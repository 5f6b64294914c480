import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { type AppError, tokenExpired, unauthorized } from '../errors.js';
import { type ActiveSigningKey, CLOCK_SKEW_SECONDS, type KeyRing } from '../keys/key-ring.js';
import { checkAccessTokenClaims, isAccessTokenType } from './access-token-claims.js';
import { encodeJwsHeader, signJws } from './jws-signer.js';
import { JwsError, parseCompactJws, parseJsonPayload, verifyJwsSignature } from './jws-verifier.js';

/**
 * `client_id` of tokens the runtime issues for itself rather than to an API client: browser sessions (its own sign-in)
 * and any other kind issued without a client.
 */
export const FIRST_PARTY_CLIENT_ID = 'gatehouse';

/** How a principal authenticated; the `auth_kind` claim and `/auth/me` field. */
export type AuthKind = 'session' | 'api_key' | 'client_credentials' | 'team_token' | 'admin_token' | 'entra_jwt';

export interface AccessTokenClaims {
  readonly iss: string;
  readonly aud: string;
  readonly sub: string;
  readonly exp: number;
  readonly iat: number;
  readonly jti: string;
  /**
   * RFC 9068 §2.2: the OAuth client the token was issued to: the API client's id for `client_credentials`, else
   * `FIRST_PARTY_CLIENT_ID`. Optional on verification only (tokens minted before the claim existed).
   */
  readonly client_id?: string;
  readonly role: string | null;
  /** Space-separated scopes/permissions (OAuth style). */
  readonly scope: string;
  readonly auth_kind: AuthKind;
  readonly org_id: string;
  readonly team_id: string | null;
}

export interface IssueAccessTokenInput {
  readonly subject: string;
  readonly role?: string | null;
  readonly scopes: readonly string[];
  readonly authKind: AuthKind;
  readonly orgId: string;
  readonly teamId?: string | null;
  /** The `client_id` claim: the OAuth client the token is issued to. Default: `FIRST_PARTY_CLIENT_ID`. */
  readonly clientId?: string;
  /** Lifetime in seconds. Default: `ACCESS_TOKEN_TTL_SECONDS`. */
  readonly ttlSeconds?: number;
}

export interface IssuedAccessToken {
  readonly token: string;
  readonly jti: string;
  /** Epoch seconds. */
  readonly expiresAt: number;
  /** Seconds from now, as OAuth's `expires_in`. */
  readonly expiresIn: number;
  readonly kid: string;
}

export interface TokenServiceOptions {
  readonly keys: KeyRing;
  readonly clock: Clock;
  /** `iss` of issued tokens and the only issuer accepted (PUBLIC_URL). */
  readonly issuer: string;
  readonly audience: string;
  /** Default lifetime in seconds. */
  readonly ttlSeconds: number;
}

/** Verification failure reasons, used for metrics, logs and audit (never shown to callers beyond the code). */
export type TokenRejection =
  | 'malformed'
  | 'algorithm'
  | 'unknown_kid'
  | 'signature'
  | 'issuer'
  | 'audience'
  | 'claims'
  | 'expired';

const rejection = (reason: TokenRejection, message: string): AppError =>
  reason === 'expired' ? tokenExpired('The access token has expired') : unauthorized(message, reason);

/**
 * Issues and verifies our access tokens (JWT, signed with the key ring's active key). Verification accepts only our
 * issuer and audience, only a known, still-valid `kid`, and only the algorithm that key was made for, so `alg: none`
 * and algorithm confusion (e.g. HS256 with the public key as secret) are refused before any signature check.
 */
export class TokenService {
  readonly #o: TokenServiceOptions;
  #encodedHeader: { readonly kid: string; readonly alg: string; readonly value: string } | undefined;

  constructor(options: TokenServiceOptions) {
    this.#o = options;
  }

  async issue(input: IssueAccessTokenInput): Promise<IssuedAccessToken> {
    const key = this.#o.keys.activeKey();
    const iat = Math.floor(this.#o.clock.now() / 1000);
    const ttl = input.ttlSeconds ?? this.#o.ttlSeconds;
    const jti = randomUUID();
    const token = await signJws(key.alg, key.privateKey, this.#headerOf(key), {
      role: input.role ?? null,
      scope: input.scopes.join(' '),
      auth_kind: input.authKind,
      org_id: input.orgId,
      team_id: input.teamId ?? null,
      iss: this.#o.issuer,
      aud: this.#o.audience,
      sub: input.subject,
      client_id: input.clientId ?? FIRST_PARTY_CLIENT_ID,
      iat,
      exp: iat + ttl,
      jti,
    });
    return { token, jti, expiresAt: iat + ttl, expiresIn: ttl, kid: key.kid };
  }

  /** The encoded protected header of tokens signed with `key`, kept for the active key (see `signJws`). */
  #headerOf(key: ActiveSigningKey): string {
    const cached = this.#encodedHeader;
    if (cached?.kid === key.kid && cached.alg === key.alg) return cached.value;
    const value = encodeJwsHeader({ alg: key.alg, typ: 'at+jwt', kid: key.kid });
    this.#encodedHeader = { kid: key.kid, alg: key.alg, value };
    return value;
  }

  /**
   * Verifies `token`; throws `unauthorized` (reason in `error.reason`) or `token_expired`. The algorithm is the one the
   * key named by `kid` was made for; the header's `alg` must repeat it, so `none` and algorithm confusion (HS256 keyed
   * with the public key) are refused before any signature check. The `typ` header (RFC 9068) and the claims are read
   * only once the signature verified.
   */
  async verify(token: string): Promise<AccessTokenClaims> {
    try {
      const jws = parseCompactJws(token);
      const { alg, kid } = jws.header;
      if (typeof alg !== 'string' || alg === 'none' || typeof kid !== 'string') {
        throw rejection('algorithm', 'The access token is not signed with an accepted algorithm');
      }
      const key = await this.#o.keys.verificationKey(kid);
      if (!key) throw rejection('unknown_kid', 'The access token was signed by an unknown key');
      if (alg !== key.alg) throw rejection('algorithm', 'The access token is not signed with an accepted algorithm');
      await verifyJwsSignature(jws, key.alg, key.publicKey);
      if (!isAccessTokenType(jws.header.typ)) throw rejection('claims', 'The access token is not of type at+jwt');
      const checked = checkAccessTokenClaims(parseJsonPayload(jws), {
        issuer: this.#o.issuer,
        audience: this.#o.audience,
        nowSeconds: Math.floor(this.#o.clock.now() / 1000),
        toleranceSeconds: CLOCK_SKEW_SECONDS,
      });
      if ('refusal' in checked) throw rejection(checked.refusal.reason, checked.refusal.message);
      return checked.claims;
    } catch (error) {
      throw fromJwsError(error);
    }
  }
}

/** A refusal from the JWS layer as the API error; our own refusals (and bugs) pass through unchanged. */
function fromJwsError(error: unknown): unknown {
  if (!(error instanceof JwsError)) return error;
  return error.reason === 'signature'
    ? rejection('signature', 'The access token signature is invalid')
    : rejection('malformed', 'The access token is malformed');
}
