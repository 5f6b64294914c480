import * as client from 'openid-client';
import { managedIdentityClientAuth } from '../azure/client-assertion.js';
import type { OidcConfig } from '../config.js';
import { AppError, internal, unauthorized } from '../errors.js';

/** Scopes requested at the IdP: an ID token with the user's name and e-mail. Entra adds `roles` when app roles are assigned. */
export const OIDC_SCOPES = 'openid profile email';
/** Seconds to wait for the IdP's discovery document and token endpoint. Default 10. */
export const IDP_TIMEOUT_SECONDS = 10;

/** The ID-token claims sign-in uses (validated by openid-client: signature, iss, aud, exp, nonce). */
export interface IdTokenIdentity {
  readonly issuer: string;
  readonly subject: string;
  readonly email: string | null;
  readonly name: string | null;
  /** The `roles` claim (Entra app roles; the dev IdP sends it too); empty when absent. */
  readonly roles: readonly string[];
}

export interface AuthorizationRequest {
  readonly redirectUri: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** OpenID Connect `prompt`, when the caller asked for one. */
  readonly prompt?: 'login' | 'select_account';
}

export interface CodeExchange {
  /** Our callback URL with the IdP's query parameters (`code`, `state`, `iss`, or `error`). */
  readonly callbackUrl: URL;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * Refuses issuers a production runtime must never trust: anything but https, except a plain-http loopback issuer (the
 * local development IdP of `npm run dev`) outside production.
 */
export function checkIssuerUrl(issuer: string, isProduction: boolean): { insecureLoopback: boolean } {
  const url = new URL(issuer);
  if (url.protocol === 'https:') return { insecureLoopback: false };
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) {
    if (isProduction) {
      throw new Error(
        `OIDC_ISSUER ${url.origin} is a local development identity provider; NODE_ENV=production requires an https issuer (for Entra ID: https://login.microsoftonline.com/<tenant-id>/v2.0)`,
      );
    }
    return { insecureLoopback: true };
  }
  throw new Error('OIDC_ISSUER must be an https URL (plain http is allowed for a loopback development IdP only)');
}

/**
 * The OpenID Connect relying party (openid-client 6): authorization code flow with PKCE S256, state and nonce, against
 * any issuer found by discovery. Multi-tenant Entra issuers (`common`, `organizations`, `{tenantid}`) are refused by
 * config.ts, since they would admit users of any tenant; use the tenant's own issuer. Discovery runs on first use and is retried on the next request after a failure, so the runtime
 * starts while the IdP is unreachable.
 */
export class RelyingParty {
  readonly #oidc: OidcConfig;
  readonly #insecureLoopback: boolean;
  readonly #clientAuth: client.ClientAuth | undefined;
  #configuration: Promise<client.Configuration> | undefined;

  /** `options.clientAuth` replaces the configured client authentication (tests). */
  constructor(oidc: OidcConfig, isProduction: boolean, options: { clientAuth?: client.ClientAuth } = {}) {
    this.#oidc = oidc;
    this.#insecureLoopback = checkIssuerUrl(oidc.issuer, isProduction).insecureLoopback;
    this.#clientAuth = options.clientAuth;
  }

  async authorizationUrl(request: AuthorizationRequest): Promise<URL> {
    const configuration = await this.#configurationOnce();
    return client.buildAuthorizationUrl(configuration, {
      redirect_uri: request.redirectUri,
      scope: OIDC_SCOPES,
      response_type: 'code',
      state: request.state,
      nonce: request.nonce,
      code_challenge: await client.calculatePKCECodeChallenge(request.codeVerifier),
      code_challenge_method: 'S256',
      ...(request.prompt ? { prompt: request.prompt } : {}),
    });
  }

  /**
   * The `iss` to assume for an authorization response relayed without one (POST /auth/callback carries only code and
   * state): the configured issuer when it announces RFC 9207 `iss` parameters. With a single configured issuer there is
   * no other server a response could be mixed up with.
   */
  async issuerForResponses(): Promise<string | undefined> {
    const metadata = (await this.#configurationOnce()).serverMetadata();
    return metadata.authorization_response_iss_parameter_supported === true ? metadata.issuer : undefined;
  }

  /**
   * Exchanges the code (sending the PKCE verifier) and validates the ID token (signature, issuer, audience, expiry,
   * nonce). Throws `unauthorized` with a reason when the IdP refused the sign-in or the tokens do not check out.
   */
  async exchange(exchange: CodeExchange): Promise<IdTokenIdentity> {
    const configuration = await this.#configurationOnce();
    let claims: client.IDToken | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(configuration, exchange.callbackUrl, {
        pkceCodeVerifier: exchange.codeVerifier,
        expectedState: exchange.state,
        expectedNonce: exchange.nonce,
        idTokenExpected: true,
      });
      claims = tokens.claims();
    } catch (error) {
      throw translate(error);
    }
    if (!claims) throw unauthorized('The identity provider returned no ID token', 'id_token_missing');
    return identityFrom(claims);
  }

  #configurationOnce(): Promise<client.Configuration> {
    this.#configuration ??= this.#discover().catch((error: unknown) => {
      this.#configuration = undefined;
      throw internal(`OIDC discovery at ${this.#oidc.issuer} failed`, error);
    });
    return this.#configuration;
  }

  /**
   * How the runtime authenticates at the token endpoint: a federated client assertion from the managed identity
   * (`OIDC_CLIENT_AUTH=managed-identity`, no secret anywhere), else `client_secret_post`, else none (public client;
   * PKCE still binds the code).
   */
  #clientAuthentication(): client.ClientAuth {
    if (this.#clientAuth) return this.#clientAuth;
    if (this.#oidc.clientAssertion) return managedIdentityClientAuth({ clientId: this.#oidc.clientAssertion.clientId });
    const secret = this.#oidc.clientSecret?.reveal().toString('utf8');
    return secret ? client.ClientSecretPost(secret) : client.None();
  }

  async #discover(): Promise<client.Configuration> {
    return client.discovery(new URL(this.#oidc.issuer), this.#oidc.clientId, undefined, this.#clientAuthentication(), {
      timeout: IDP_TIMEOUT_SECONDS,
      execute: this.#insecureLoopback ? [client.allowInsecureRequests] : [],
    });
  }
}

function identityFrom(claims: client.IDToken): IdTokenIdentity {
  const text = (value: unknown): string | null => (typeof value === 'string' && value.trim() !== '' ? value : null);
  const roles = Array.isArray(claims.roles) ? claims.roles.filter((r): r is string => typeof r === 'string') : [];
  return {
    issuer: claims.iss,
    subject: claims.sub,
    // Entra v2.0 puts the sign-in name in `preferred_username` when the `email` claim is not configured.
    email: text(claims.email) ?? text(claims.preferred_username),
    name: text(claims.name),
    roles,
  };
}

/** openid-client errors to contract errors. Messages name what failed, never a code, token or secret. */
function translate(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (error instanceof client.AuthorizationResponseError) {
    return unauthorized(`The identity provider did not complete the sign-in (${error.error})`, 'idp_error');
  }
  if (error instanceof client.ResponseBodyError) {
    return unauthorized(
      `The identity provider rejected the authorization code (${error.error}); start again at /auth/login`,
      'code_rejected',
    );
  }
  if (error instanceof client.ClientError) {
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') {
      return internal('The identity provider did not answer in time', error);
    }
    if (error.code === 'OAUTH_JWT_CLAIM_COMPARISON_FAILED' || error.code === 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED') {
      return unauthorized('The ID token from the identity provider did not validate', 'id_token_invalid');
    }
    return unauthorized('The identity provider response did not validate', 'idp_response_invalid');
  }
  return internal('Code exchange with the identity provider failed', error);
}
