import { auditUseFailure } from '../audit/use-failure-audit.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import type { AccessTokenClaims } from '../tokens/access-tokens.js';
import { looksLikeJwt, unverifiedIssuer } from './jwt-shape.js';
import { makePrincipal, type Principal } from './principal.js';
import type { AuthRequest, CredentialResolver } from './resolver.js';
import { VerifyCache } from './verify-cache.js';

/** Answers whether a token id (`jti`) was revoked before its expiry; throws `unauthorized` (reason `revoked`) if so. */
export interface RevocationCheck {
  /** Resolves once the list is loaded; awaited before the first verification of each token. */
  ready(): Promise<void>;
  assertNotRevoked(jti: string): void;
}

/** The principal an access token of ours stands for: exactly the scopes it carries (issuers put the role's in). */
export function principalFromClaims(ctx: AppContext, claims: AccessTokenClaims): Principal {
  return makePrincipal(ctx.config.catalog, {
    kind: claims.auth_kind,
    subject: claims.sub,
    role: claims.role ?? null,
    scopes: typeof claims.scope === 'string' ? claims.scope.split(' ').filter(Boolean) : [],
    extraPermissions: [],
    orgId: claims.org_id,
    teamId: claims.team_id ?? null,
    credentialId: claims.jti,
  });
}

/**
 * Our own access tokens (every `auth_kind`: session, client_credentials, ...), from the `access_token` cookie or
 * `Authorization: Bearer`. Verified with the key ring through `ctx.tokens`, then cached by token hash until `exp`
 * (bounded) so a repeated token costs a hash and a map look-up; revocation is checked on every use.
 */
export class AccessTokenResolver implements CredentialResolver {
  readonly name = 'access_token';
  readonly sources = ['cookie', 'bearer'] as const;
  readonly #ctx: AppContext;
  readonly #revocations: RevocationCheck;
  readonly cache = new VerifyCache<Principal>();

  constructor(ctx: AppContext, revocations: RevocationCheck) {
    this.#ctx = ctx;
    this.#revocations = revocations;
  }

  matches(token: string): boolean {
    return looksLikeJwt(token) && unverifiedIssuer(token) === this.#ctx.config.publicUrl;
  }

  async resolve(token: string, request: AuthRequest): Promise<Principal> {
    try {
      return await this.#resolve(token);
    } catch (error) {
      const reason = error instanceof AppError ? (error.reason ?? 'unknown') : 'unknown';
      auditUseFailure(this.#ctx, {
        kind: 'access_token.use_failed',
        // Only a verified token's jti is worth recording; an unverified one is whatever the caller typed.
        credentialId: reason === 'revoked' ? revokedJti(token) : null,
        reason,
        ip: request.ip,
        userAgent: request.userAgent,
      });
      throw error;
    }
  }

  async #resolve(token: string): Promise<Principal> {
    const key = VerifyCache.keyOf(token);
    const cached = this.cache.get(key, this.#ctx.clock.now());
    if (cached) {
      this.#revocations.assertNotRevoked(cached.credentialId);
      return cached;
    }
    const claims = await this.#ctx.tokens.verify(token);
    await this.#revocations.ready();
    this.#revocations.assertNotRevoked(claims.jti);
    const principal = principalFromClaims(this.#ctx, claims);
    this.cache.set(key, principal, claims.exp * 1000, claims.jti);
    return principal;
  }
}

/** The `jti` of a token that verified but was revoked (its payload is authentic at this point). */
function revokedJti(token: string): string | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString('utf8')) as {
      jti?: unknown;
    };
    return typeof payload.jti === 'string' ? payload.jti.slice(0, 100) : null;
  } catch {
    return null;
  }
}
