import type { IncomingMessage } from 'node:http';
import { auditUseFailure } from '../audit/use-failure-audit.js';
import type { ClientAuthenticator } from '../credentials/clients/client-authenticator.js';
import type { ClientAuthRecord } from '../credentials/clients/client-records.js';
import type { AppContext } from '../http/context.js';
import { requestMeta } from '../http/request-meta.js';
import type { FailedAuthGuard } from '../rate-limit/failed-auth-guard.js';
import { oauthError } from './oauth-http.js';

/** What client authentication needs: the brute-force guard, and the cached client-secret check. */
export interface ClientAuth {
  readonly guard: FailedAuthGuard;
  readonly clients: ClientAuthenticator;
}

/** RFC 6749 2.3.1 methods this server supports (also listed in the authorization server metadata). */
export type ClientAuthMethod = 'client_secret_basic' | 'client_secret_post';

/** An authenticated API client and where the request came from (for audit rows). */
export interface AuthenticatedClient {
  readonly client: ClientAuthRecord;
  readonly method: ClientAuthMethod;
  readonly ip: string;
  readonly userAgent: string | null;
}

export interface PresentedClient {
  readonly clientId: string;
  readonly secret: string;
  readonly method: ClientAuthMethod;
}

const BASIC = /^Basic[ \t]+([A-Za-z0-9+/=]+)[ \t]*$/i;

/** RFC 6749 2.3.1: client_id and secret are form-urlencoded before they are joined and base64-encoded. */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, '%20'));
  } catch {
    return undefined;
  }
}

/** 401 `invalid_client`; `OAuthError` adds `WWW-Authenticate: Basic realm="gatehouse"` (RFC 6749 5.2). */
const invalidClient = (description: string, reason: string) => oauthError('invalid_client', description, { reason });

/**
 * The client credentials a request carries: HTTP Basic (`client_secret_basic`) or `client_id` + `client_secret` in
 * the form (`client_secret_post`). Using both at once is `invalid_request` (RFC 6749 2.3); none is `undefined`.
 */
export function presentedClient(req: IncomingMessage, form: ReadonlyMap<string, string>): PresentedClient | undefined {
  const authorization = req.headers.authorization;
  const basic = authorization ? BASIC.exec(authorization) : null;
  if (basic) {
    if (form.has('client_secret')) {
      throw oauthError(
        'invalid_request',
        'Use one client authentication method: HTTP Basic or client_secret in the body',
      );
    }
    const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const clientId = colon > 0 ? formDecode(decoded.slice(0, colon)) : undefined;
    const secret = colon > 0 ? formDecode(decoded.slice(colon + 1)) : undefined;
    if (!clientId || secret === undefined) {
      throw invalidClient('The Basic credentials are malformed', 'malformed');
    }
    const bodyClientId = form.get('client_id');
    if (bodyClientId !== undefined && bodyClientId !== clientId) {
      throw oauthError('invalid_request', 'client_id in the body differs from the one in the Authorization header');
    }
    return { clientId, secret, method: 'client_secret_basic' };
  }
  const clientId = form.get('client_id');
  const secret = form.get('client_secret');
  if (clientId !== undefined && secret !== undefined) return { clientId, secret, method: 'client_secret_post' };
  return undefined;
}

/**
 * Authenticates the calling API client or throws `invalid_client` (401, `WWW-Authenticate: Basic`). The answer is the
 * same for an unknown client, a wrong secret and a deleted client; the reason goes to metrics and a (throttled) audit
 * row. Failures count toward the caller address's brute-force limit (429 once over it).
 */
export async function authenticateClient(
  ctx: AppContext,
  { guard, clients }: ClientAuth,
  req: IncomingMessage,
  form: ReadonlyMap<string, string>,
): Promise<AuthenticatedClient> {
  const { ip, userAgent } = requestMeta(req);
  guard.assertNotBlocked(ip);
  const presented = presentedClient(req, form);
  if (!presented) {
    ctx.metrics.recordAuth('client_credentials', 'failure', 'missing');
    throw invalidClient('Client authentication is required (client_secret_basic or client_secret_post)', 'missing');
  }
  const result = await clients.authenticate(presented.clientId, presented.secret);
  if (result.ok) {
    ctx.metrics.recordAuth('client_credentials', 'success');
    return { client: result.client, method: presented.method, ip, userAgent };
  }
  ctx.metrics.recordAuth('client_credentials', 'failure', result.reason);
  auditUseFailure(ctx, {
    kind: 'client.use_failed',
    credentialId: result.reason === 'malformed' ? null : presented.clientId,
    reason: result.reason,
    ip,
    userAgent,
    orgId: result.client?.orgId ?? null,
  });
  const limited = await guard.recordFailure(ip).catch((error: unknown) => {
    ctx.logger.error({ err: error }, 'failed-authentication counter unavailable');
    return undefined;
  });
  if (limited) throw limited;
  throw invalidClient('Client authentication failed', result.reason);
}
