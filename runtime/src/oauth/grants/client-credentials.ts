import { LastUsedThrottle } from '../../credentials/last-used-throttle.js';
import type { AppContext } from '../../http/context.js';
import { authenticateClient, type ClientAuth } from '../client-authentication.js';
import type { GrantHandler } from '../grants.js';
import { oauthError } from '../oauth-http.js';

/** At most one `client.token_issued` audit row per client in this window, in ms (one minute). */
export const ISSUE_AUDIT_INTERVAL_MS = 60_000;
/** Longest `scope` parameter read, in characters; far above the whole catalog. */
const MAX_SCOPE_LENGTH = 2048;

/**
 * `grant_type=client_credentials` (RFC 6749 4.4): an authenticated API client gets one of our access tokens
 * (`auth_kind` client_credentials, `sub` = client_id) for the scopes it asks for, which must be a subset of its own;
 * without `scope` it gets all of them. Warm path: no store query (cached client), one HMAC, one signature; an audit
 * row (`client.token_issued`, with the scope and jti) at most once a minute per client, written in the background.
 */
export function clientCredentialsGrant(ctx: AppContext, clientAuth: ClientAuth): GrantHandler {
  const auditThrottle = new LastUsedThrottle(ISSUE_AUDIT_INTERVAL_MS);
  return async (req, form) => {
    const { client, ip, userAgent } = await authenticateClient(ctx, clientAuth, req, form);
    const requested = form.get('scope');
    let scopes: readonly string[] = client.scopes;
    if (requested !== undefined && requested.trim() !== '') {
      if (requested.length > MAX_SCOPE_LENGTH) {
        throw oauthError('invalid_scope', `The scope parameter is longer than ${MAX_SCOPE_LENGTH} characters`);
      }
      const wanted = new Set(requested.split(' ').filter(Boolean));
      const notAllowed = [...wanted].find((scope) => !client.scopes.includes(scope));
      if (notAllowed !== undefined) {
        throw oauthError(
          'invalid_scope',
          `The client may not request the scope ${JSON.stringify(notAllowed)}; its scopes are: ${client.scopes.join(' ')}`,
        );
      }
      scopes = client.scopes.filter((scope) => wanted.has(scope));
    }
    const issued = await ctx.tokens.issue({
      subject: client.clientId,
      clientId: client.clientId,
      role: null,
      scopes,
      authKind: 'client_credentials',
      orgId: client.orgId,
      teamId: client.teamId,
    });
    // An audit row per token would let a client turn its traffic into store writes: one per client per minute.
    if (auditThrottle.shouldWrite(client.clientId, ctx.clock.now())) {
      ctx.audit.recordInBackground({
        kind: 'client.token_issued',
        outcome: 'success',
        actor: { kind: 'client', subject: client.clientId },
        credentialId: client.clientId,
        orgId: client.orgId,
        target: client.clientId,
        ip,
        userAgent,
        details: { scope: scopes.join(' '), jti: issued.jti },
      });
    }
    return { access_token: issued.token, token_type: 'Bearer', expires_in: issued.expiresIn, scope: scopes.join(' ') };
  };
}
