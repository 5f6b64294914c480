import { auditUseFailure } from '../audit/use-failure-audit.js';
import type { AppContext } from '../http/context.js';
import { writeFastHead } from '../http/fast-router.js';
import { OAuthErrorBodySchema } from '../http/openapi.js';
import { type AnyRoute, route } from '../http/route.js';
import { readTokenRequest, TOKEN_REQUEST } from './introspection-endpoint.js';
import { OAUTH_CALLER_ERRORS, type OAuthCaller, type OAuthCallerAuth, withinTenant } from './oauth-caller.js';
import { oauthError } from './oauth-http.js';
import type { TokenFacts, TokenKindRegistry } from './token-kinds.js';

/**
 * May `caller` revoke this token? Admins (`tokens:manage`) any token of their tenant; API clients only the tokens
 * they were issued (RFC 7009 2.1).
 */
function mayRevoke(caller: OAuthCaller, facts: TokenFacts): boolean {
  if (!withinTenant(caller, facts.orgId, facts.teamId)) return false;
  return caller.kind === 'admin' || (caller.clientId !== null && facts.issuedTo === caller.clientId);
}

/**
 * `POST /oauth2/revoke` (RFC 7009) for every credential kind in `kinds`. An unknown, expired or already revoked token
 * answers 200 like a revoked one (2.2). A live token the caller may not revoke also answers 200 without effect, so the
 * answer never tells whether someone else's token exists; the refusal is audited. A kind this server cannot revoke
 * (another issuer's JWT) answers `unsupported_token_type`.
 */
export function revocationRoutes(ctx: AppContext, kinds: TokenKindRegistry, callers: OAuthCallerAuth): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/oauth2/revoke',
      summary: 'Token revocation (RFC 7009) for access tokens, API keys, team/admin tokens and refresh tokens',
      tags: ['oauth'],
      ...TOKEN_REQUEST,
      responses: {
        200: { description: 'Revoked, or there was nothing (the caller may revoke) to revoke' },
        400: { description: '`invalid_request` or `unsupported_token_type`', schema: OAuthErrorBodySchema },
        ...OAUTH_CALLER_ERRORS,
      },
      fast: true,
      handler: async (req, res, { body }) => {
        const { caller, token, found } = await readTokenRequest(ctx, kinds, callers, req, body);
        if (found) {
          const { kind, facts } = found;
          if (!mayRevoke(caller, facts)) {
            auditUseFailure(ctx, {
              kind: 'token.revoke_refused',
              credentialId: facts.credentialId,
              reason: caller.orgId === facts.orgId ? 'not_owner' : 'other_org',
              ip: caller.ip,
              userAgent: caller.userAgent,
              orgId: caller.orgId,
              subject: caller.actor.subject,
              subjectKind: caller.actor.kind,
            });
          } else if (!kind.revoke) {
            throw oauthError('unsupported_token_type', `Tokens of kind ${kind.name} cannot be revoked by this server`);
          } else {
            await kind.revoke(token, facts, { ...caller, req });
          }
        }
        writeFastHead(res, 200, ['Cache-Control', 'no-store', 'Pragma', 'no-cache', 'Content-Length', '0']);
        res.end();
      },
    }),
  ];
}
