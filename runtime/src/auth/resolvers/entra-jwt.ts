import type { JWTPayload } from 'jose';
import { auditUseFailure } from '../../audit/use-failure-audit.js';
import { DEFAULT_ORG_ID } from '../../credentials/bootstrap-admin.js';
import type { EntraJwtVerifier } from '../../credentials/entra/entra-jwt-verifier.js';
import { mapEntraRoles } from '../../credentials/entra/entra-roles.js';
import { AppError, forbidden } from '../../errors.js';
import type { AppContext } from '../../http/context.js';
import { looksLikeJwt, unverifiedIssuer } from '../jwt-shape.js';
import { makePrincipal, type Principal } from '../principal.js';
import type { CredentialResolver } from '../resolver.js';
import { VerifyCache } from '../verify-cache.js';

const text = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);

/**
 * Entra's group overage: a user in more than 200 groups gets `_claim_names.groups` (a pointer to Microsoft Graph)
 * instead of a `groups` claim, or `hasgroups: true` in implicit-flow tokens. gatehouse never reads groups, but a
 * token that has only this marker is usually a deployment that assigned groups where app roles were meant.
 */
function hasGroupOverage(payload: JWTPayload): boolean {
  const names = payload._claim_names;
  const pointsToGroups = typeof names === 'object' && names !== null && 'groups' in names;
  return pointsToGroups || payload.hasgroups === true;
}

/**
 * The principal an Entra/OIDC token stands for, or `forbidden` when its `roles` name nothing of the catalog: such a
 * token is genuine but grants nothing here, so every route answers 403 (rather than a default role). Subject: the
 * stable object id (`oid`), else `sub`. Org: `default` (the runtime maps one IdP tenant to the default org).
 */
export function principalOfEntraToken(ctx: AppContext, payload: JWTPayload): Principal {
  const grant = mapEntraRoles(ctx.config.catalog, payload.roles);
  if (grant.permissions.length === 0) {
    if (hasGroupOverage(payload)) {
      throw forbidden(
        'The token carries no roles, only a group-overage marker (_claim_names): gatehouse maps app roles, not groups; assign an app role of this API to the user or to one of their groups',
        'group_overage',
      );
    }
    throw forbidden('The token carries no role or scope of this API', 'no_catalog_role');
  }
  return makePrincipal(ctx.config.catalog, {
    kind: 'entra_jwt',
    subject: text(payload.oid) ?? text(payload.sub) ?? 'unknown',
    role: grant.role,
    scopes: grant.permissions,
    extraPermissions: [],
    orgId: DEFAULT_ORG_ID,
    teamId: null,
    email: text(payload.email) ?? text(payload.preferred_username) ?? text(payload.upn),
    name: text(payload.name),
    credentialId: text(payload.uti) ?? text(payload.jti) ?? 'entra_jwt',
  });
}

/**
 * `Authorization: Bearer <JWT>` minted by the configured OIDC issuer (Entra ID) for this API (`auth_kind`
 * entra_jwt). Claims JWTs whose unverified `iss` is OIDC_ISSUER; verified principals are cached (by token hash) until
 * the token's `exp`.
 */
export function entraJwtResolver(ctx: AppContext, verifier: EntraJwtVerifier): CredentialResolver {
  const cache = new VerifyCache<Principal>();
  return {
    name: 'entra_jwt',
    sources: ['bearer'],
    matches: (token) => looksLikeJwt(token) && verifier.acceptsIssuer(unverifiedIssuer(token)),
    resolve: async (token, { ip, userAgent }) => {
      const key = VerifyCache.keyOf(token);
      const cached = cache.get(key, ctx.clock.now());
      if (cached) return cached;
      let payload: JWTPayload | undefined;
      try {
        payload = await verifier.verify(token);
        const principal = principalOfEntraToken(ctx, payload);
        cache.set(key, principal, (payload.exp as number) * 1000, principal.credentialId);
        return principal;
      } catch (error) {
        // A verified token without a catalog role may be named; an unverified one never is.
        const subject = payload ? (text(payload.oid) ?? text(payload.sub)) : null;
        auditUseFailure(ctx, {
          kind: 'entra_jwt.use_failed',
          credentialId: payload ? (text(payload.uti) ?? text(payload.jti)) : null,
          reason: error instanceof AppError ? (error.reason ?? error.code) : 'unknown',
          ip,
          userAgent,
          ...(subject ? { subject, subjectKind: 'entra_jwt', orgId: DEFAULT_ORG_ID } : {}),
        });
        throw error;
      }
    },
  };
}
