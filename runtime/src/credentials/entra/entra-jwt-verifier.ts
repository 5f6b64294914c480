import { createRemoteJWKSet, type JWTPayload, errors as joseErrors, jwtVerify } from 'jose';
import type { Logger } from 'pino';
import type { Clock } from '../../clock.js';
import { AppError, tokenExpired, unauthorized } from '../../errors.js';
import { CLOCK_SKEW_SECONDS } from '../../keys/key-ring.js';

/** Asymmetric algorithms accepted from the IdP (Entra signs with RS256). HMAC and `none` never are. */
export const ENTRA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'EdDSA'];
/** After a failed discovery, how long before the next attempt, in ms: a down IdP must not cost a fetch per request. */
export const DISCOVERY_RETRY_MS = 10_000;
/** Timeout of discovery and JWKS requests, in ms. */
export const IDP_FETCH_TIMEOUT_MS = 5_000;

export interface EntraJwtVerifierOptions {
  /**
   * Exact `iss` of v2.0 tokens, e.g. `https://login.microsoftonline.com/<tenant id>/v2.0` (OIDC_ISSUER); also where
   * discovery finds the signing keys, which Entra shares between its v1.0 and v2.0 tokens.
   */
  readonly issuer: string;
  /** `aud` of v2.0 tokens: Entra always puts the API's client id there (OIDC_AUDIENCE, default OIDC_CLIENT_ID). */
  readonly audience: string;
  /**
   * Exact `iss` of the same tenant's v1.0 tokens, `https://sts.windows.net/<tenant id>/` (OIDC_V1_ISSUER).
   * @default - v1.0 tokens are refused
   */
  readonly v1Issuer?: string;
  /**
   * The API's Application ID URI (`api://...`, OIDC_APP_ID_URI): a v1.0 token carries whichever of it or the client
   * id the caller asked for as `aud`, so v1.0 tokens accept both; a v2.0 token never carries it.
   * @default - v1.0 tokens accept only `audience`
   */
  readonly appIdUri?: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /**
   * Minimum time between two JWKS downloads, in ms (default 30000). A token with an unknown `kid` triggers a
   * re-download once this has passed since the last one, which is how a key rollover at the IdP is picked up.
   */
  readonly jwksCooldownMs?: number;
  /** How long a downloaded JWKS is used before it is fetched again, in ms (default 600000 = 10 minutes). */
  readonly jwksMaxAgeMs?: number;
}

type RemoteJwks = ReturnType<typeof createRemoteJWKSet>;

function audiences(payload: JWTPayload): string[] {
  if (typeof payload.aud === 'string') return [payload.aud];
  return Array.isArray(payload.aud) ? payload.aud : [];
}

/**
 * Whether a verified token marks itself as an ID token: a `nonce` claim (OpenID Connect puts the sign-in request's
 * nonce in the ID token, never in an access token), `token_use: "id"` (Amazon Cognito) or `typ: "ID"` (Keycloak).
 */
function isIdToken(payload: JWTPayload): boolean {
  if (payload.nonce !== undefined) return true;
  if (typeof payload.token_use === 'string' && payload.token_use.toLowerCase() === 'id') return true;
  return typeof payload.typ === 'string' && payload.typ.toLowerCase() === 'id';
}

/**
 * Verifies JWTs the configured OIDC issuer (Entra ID) minted for this API: signature against the issuer's JWKS (found
 * through `<issuer>/.well-known/openid-configuration`, downloaded by jose's `createRemoteJWKSet`, cached, fetched
 * again for an unknown `kid`), exact `iss`, `aud`, `exp`/`nbf` with 10 s of skew, and not an ID token. Throws
 * `unauthorized` with a reason (`signature`, `issuer`, `audience`, `unknown_kid`, `malformed`, `idp_unavailable`,
 * `id_token`) or `token_expired`; the expiry is only reported for a token whose signature verified.
 */
export class EntraJwtVerifier {
  readonly #o: EntraJwtVerifierOptions;
  #jwks: RemoteJwks | undefined;
  #discovering: Promise<RemoteJwks> | undefined;
  #lastDiscoveryFailure = Number.NEGATIVE_INFINITY;

  constructor(options: EntraJwtVerifierOptions) {
    this.#o = options;
  }

  /** Whether `iss` is one of the issuers this verifier accepts (v2.0, and v1.0 when configured). */
  acceptsIssuer(iss: string | undefined): boolean {
    return iss !== undefined && (iss === this.#o.issuer || iss === this.#o.v1Issuer);
  }

  async verify(token: string): Promise<JWTPayload> {
    const jwks = await this.#keySet();
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer: [this.#o.issuer, ...(this.#o.v1Issuer ? [this.#o.v1Issuer] : [])],
        audience: [this.#o.audience, ...(this.#o.appIdUri ? [this.#o.appIdUri] : [])],
        algorithms: ENTRA_ALGORITHMS,
        clockTolerance: CLOCK_SKEW_SECONDS,
        currentDate: new Date(this.#o.clock.now()),
        requiredClaims: ['exp'],
      });
      this.#checkVersion(payload);
      // OIDC_AUDIENCE defaults to the client id, which is also the `aud` of the sign-in ID tokens: without this an
      // ID token (meant for this app's sign-in, not for calling its API) would pass as an access token.
      if (isIdToken(payload)) throw unauthorized('An ID token is not accepted as an access token', 'id_token');
      return payload;
    } catch (error) {
      throw this.#translate(error);
    }
  }

  /**
   * The audience rule of the token's version, told by its issuer: a v2.0 token's `aud` is the client id only (an
   * Application ID URI there means a token minted for another configuration); a v1.0 token's may be either. A `ver`
   * claim, when present, must agree with the issuer.
   */
  #checkVersion(payload: JWTPayload): void {
    const version = payload.iss === this.#o.issuer ? '2.0' : '1.0';
    if (version === '2.0' && !audiences(payload).includes(this.#o.audience)) {
      throw unauthorized('The token has the wrong audience', 'audience');
    }
    if (payload.ver !== undefined && payload.ver !== version) {
      throw unauthorized(
        `The token says version ${String(payload.ver)} but its issuer issues v${version} tokens`,
        'version',
      );
    }
  }

  async #keySet(): Promise<RemoteJwks> {
    if (this.#jwks) return this.#jwks;
    if (Date.now() - this.#lastDiscoveryFailure < DISCOVERY_RETRY_MS) {
      throw unauthorized('The identity provider could not be reached to verify the token', 'idp_unavailable');
    }
    this.#discovering ??= this.#discover().finally(() => {
      this.#discovering = undefined;
    });
    return this.#discovering;
  }

  async #discover(): Promise<RemoteJwks> {
    const url = `${this.#o.issuer}/.well-known/openid-configuration`;
    try {
      const response = await fetch(url, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(IDP_FETCH_TIMEOUT_MS),
      });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      const metadata = (await response.json()) as { issuer?: unknown; jwks_uri?: unknown };
      // OpenID Connect Discovery 4.3: the document must name exactly the issuer it was fetched for.
      if (metadata.issuer !== this.#o.issuer) throw new Error(`it names issuer ${JSON.stringify(metadata.issuer)}`);
      if (typeof metadata.jwks_uri !== 'string') throw new Error('it has no jwks_uri');
      const jwksUri = new URL(metadata.jwks_uri);
      if (jwksUri.protocol !== 'https:' && new URL(this.#o.issuer).protocol === 'https:') {
        throw new Error('its jwks_uri is not https');
      }
      this.#jwks = createRemoteJWKSet(jwksUri, {
        cooldownDuration: this.#o.jwksCooldownMs ?? 30_000,
        cacheMaxAge: this.#o.jwksMaxAgeMs ?? 600_000,
        timeoutDuration: IDP_FETCH_TIMEOUT_MS,
      });
      return this.#jwks;
    } catch (error) {
      this.#lastDiscoveryFailure = Date.now();
      this.#o.logger.error({ err: error, url }, 'OIDC discovery failed; Entra/OIDC tokens cannot be verified');
      throw unauthorized('The identity provider could not be reached to verify the token', 'idp_unavailable');
    }
  }

  #translate(error: unknown): AppError {
    if (error instanceof AppError) return error;
    if (error instanceof joseErrors.JWTExpired) return tokenExpired('The token has expired');
    if (error instanceof joseErrors.JWTClaimValidationFailed) {
      if (error.claim === 'iss') return unauthorized('The token has the wrong issuer', 'issuer');
      if (error.claim === 'aud') return unauthorized('The token has the wrong audience', 'audience');
      return unauthorized('The token has invalid claims', 'claims');
    }
    if (error instanceof joseErrors.JWKSNoMatchingKey) {
      return unauthorized('The token was signed by a key the identity provider does not publish', 'unknown_kid');
    }
    if (error instanceof joseErrors.JWSSignatureVerificationFailed) {
      return unauthorized('The token signature is invalid', 'signature');
    }
    if (error instanceof joseErrors.JOSEAlgNotAllowed) {
      return unauthorized('The token is not signed with an accepted algorithm', 'algorithm');
    }
    // Network failures (not jose errors), timeouts and an unusable key set are the IdP's problem, not the token's.
    if (
      !(error instanceof joseErrors.JOSEError) ||
      error.code === 'ERR_JOSE_GENERIC' ||
      error instanceof joseErrors.JWKSTimeout ||
      error instanceof joseErrors.JWKSInvalid
    ) {
      this.#o.logger.error({ err: error }, 'could not download the identity provider JWKS');
      return unauthorized('The identity provider could not be reached to verify the token', 'idp_unavailable');
    }
    return unauthorized('The token is malformed', 'malformed');
  }
}
