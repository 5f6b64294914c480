import type { IncomingMessage } from 'node:http';
import type { Authenticator } from '../auth/authenticator.js';
import { presentedCredential } from '../auth/presented-credential.js';
import { hasPermission, type Principal } from '../auth/principal.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { OAuthErrorBodySchema } from '../http/openapi.js';
import { requestMeta } from '../http/request-meta.js';
import { authenticateClient, type ClientAuth } from './client-authentication.js';
import { oauthError } from './oauth-http.js';

/** Permission a Bearer caller needs for `/oauth2/introspect` and `/oauth2/revoke`. */
export const TOKEN_ADMIN_PERMISSION = 'tokens:manage';

/** OpenAPI responses for the failures `authenticateOAuthCaller` throws, declared once for every endpoint that calls it. */
export const OAUTH_CALLER_ERRORS = {
  401: { description: '`invalid_client`', schema: OAuthErrorBodySchema },
  403: {
    description: '`unauthorized_client`: a Bearer caller without tokens:manage',
    schema: OAuthErrorBodySchema,
  },
} as const;

/** What authenticating an introspection or revocation caller needs: runtime credentials, or client authentication. */
export interface OAuthCallerAuth extends ClientAuth {
  readonly auth: Authenticator;
}

/** Who called introspection or revocation, and the tenant their view is limited to. */
export interface OAuthCaller {
  /** `client`: an API client (client authentication); `admin`: a Bearer/API-key credential with `tokens:manage`. */
  readonly kind: 'client' | 'admin';
  readonly orgId: string;
  readonly teamId: string | null;
  /** The client's id for `client` callers (it may revoke the tokens it was issued). */
  readonly clientId: string | null;
  /**
   * Holds `tokens:manage` (every `admin` caller; a client only when granted it): may introspect every token of its
   * tenant. Any other client sees only the tokens issued to it.
   */
  readonly tokenAdmin: boolean;
  readonly actor: { readonly kind: string; readonly subject: string };
  readonly ip: string | null;
  readonly userAgent: string | null;
}

/**
 * Authenticates the caller of `/oauth2/introspect` or `/oauth2/revoke`: `Authorization: Bearer` or `X-API-Key` with
 * any credential the runtime accepts (it must hold `tokens:manage`), else client authentication
 * (`client_secret_basic` or `client_secret_post`). Failures are OAuth errors: 401 `invalid_client`, or 403
 * `unauthorized_client` for a credential without `tokens:manage`.
 */
export async function authenticateOAuthCaller(
  ctx: AppContext,
  callers: OAuthCallerAuth,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): Promise<OAuthCaller> {
  const { ip, userAgent } = requestMeta(req);
  // Bearer or X-API-Key: a runtime credential. Never the cookie: these endpoints are not for browsers (no CSRF surface).
  const source = presentedCredential(req)?.source;
  if (source === 'bearer' || source === 'api_key') {
    let principal: Principal;
    try {
      principal = await callers.auth.authenticate(req);
    } catch (error) {
      if (error instanceof AppError && error.status === 401) {
        throw oauthError('invalid_client', 'The credential is not valid', {
          reason: error.reason ?? 'unknown',
          headers: { 'WWW-Authenticate': error.headers['WWW-Authenticate'] ?? 'Bearer realm="gatehouse"' },
        });
      }
      throw error;
    }
    if (!hasPermission(principal, TOKEN_ADMIN_PERMISSION)) {
      throw oauthError('unauthorized_client', `The credential lacks the permission "${TOKEN_ADMIN_PERMISSION}"`, {
        status: 403,
        reason: 'missing_permission',
      });
    }
    return {
      kind: 'admin',
      orgId: principal.orgId,
      teamId: principal.teamId,
      clientId: null,
      tokenAdmin: true,
      actor: { kind: principal.kind, subject: principal.subject },
      ip,
      userAgent,
    };
  }
  const { client } = await authenticateClient(ctx, callers, req, form);
  return {
    kind: 'client',
    orgId: client.orgId,
    teamId: client.teamId,
    clientId: client.clientId,
    tokenAdmin: client.scopes.includes(TOKEN_ADMIN_PERMISSION),
    actor: { kind: 'client', subject: client.clientId },
    ip,
    userAgent,
  };
}

/**
 * Whether the caller may see a token's facts: within its tenant, and either a token admin or the client the token was
 * issued to.
 */
export function mayIntrospect(
  caller: OAuthCaller,
  facts: { orgId: string; teamId: string | null; issuedTo: string | null },
): boolean {
  if (!withinTenant(caller, facts.orgId, facts.teamId)) return false;
  return caller.tokenAdmin || (caller.clientId !== null && facts.issuedTo === caller.clientId);
}

/** Whether a token of `orgId`/`teamId` is within the caller's tenant (its org, and its team when team-bound). */
export function withinTenant(caller: OAuthCaller, orgId: string, teamId: string | null): boolean {
  return caller.orgId === orgId && (caller.teamId === null || caller.teamId === teamId);
}
