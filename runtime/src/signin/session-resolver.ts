import { looksLikeJwt, unverifiedIssuer, unverifiedStringClaim } from '../auth/jwt-shape.js';
import { presentedCredential } from '../auth/presented-credential.js';
import type { Principal } from '../auth/principal.js';
import type { AuthRequest, CredentialResolver, CredentialSource } from '../auth/resolver.js';
import { unauthorized } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { isStoreUnavailable } from '../store/store-errors.js';
import type { UserProfile, UserProfiles } from '../users/user-profiles.js';
import { assertAllowedOrigin } from './origin-check.js';

/** Name of the resolver (and the `kind` label of its auth metrics). */
export const SESSION_RESOLVER_NAME = 'session';

/**
 * Browser sessions, asked before the generic access-token resolver (the composition root's order) for:
 * - every JWT of ours presented in the `access_token` COOKIE: an unsafe method must then come from one of
 *   ALLOWED_ORIGINS (CSRF, on top of SameSite=Lax). This is the one place that sees every cookie-authenticated request
 *   of every route that authenticates, so no route can forget the check;
 * - session tokens (`auth_kind` "session") presented as Bearer.
 * Verification is the access-token resolver's (signature, expiry, revocation, verify cache); this adds the user's
 * e-mail and name (for `/auth/me`) from a cached profile and refuses users disabled since the token was issued.
 */
export class SessionResolver implements CredentialResolver {
  readonly name = SESSION_RESOLVER_NAME;
  readonly sources: readonly CredentialSource[] = ['cookie', 'bearer'];
  readonly #ctx: AppContext;
  readonly #inner: CredentialResolver;
  readonly #profiles: UserProfiles;

  /** `inner` is the generic access-token resolver, which verifies the token. */
  constructor(ctx: AppContext, inner: CredentialResolver, profiles: UserProfiles) {
    this.#ctx = ctx;
    this.#inner = inner;
    this.#profiles = profiles;
  }

  matches(token: string, source: CredentialSource): boolean {
    if (!looksLikeJwt(token)) return false;
    if (unverifiedIssuer(token) !== this.#ctx.config.publicUrl) return false;
    return source === 'cookie' || unverifiedStringClaim(token, 'auth_kind') === 'session';
  }

  async resolve(token: string, request: AuthRequest): Promise<Principal> {
    if (presentedCredential(request.req)?.source === 'cookie') {
      assertAllowedOrigin(request.req, this.#ctx.config.allowedOrigins);
    }
    const principal = await this.#inner.resolve(token, request);
    if (principal.kind !== 'session') return principal;
    let profile: UserProfile | null;
    try {
      profile = await this.#profiles.get(principal.subject);
    } catch (error) {
      // Degrade, don't fail: with the store unreachable the verified, undenied token still answers, without the
      // profile's e-mail and name.
      if (isStoreUnavailable(error)) return principal;
      throw error;
    }
    if (!profile || profile.disabled) throw unauthorized('The account behind this session is disabled', 'revoked');
    return { ...principal, email: profile.email, name: profile.name };
  }
}
