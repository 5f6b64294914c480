import type { Principal } from '../../auth/principal.js';
import type { CredentialResolver } from '../../auth/resolver.js';
import type { ApiKeyRecords } from '../../credentials/api-keys/api-key-records.js';
import type { ApiKeyService } from '../../credentials/api-keys/api-key-service.js';
import type { AppContext } from '../../http/context.js';
import type { TokenKind } from '../token-kinds.js';

/**
 * API keys (`sk_live_...`/`sk_test_...`) for introspection and revocation. A key is checked by
 * the `api_key` resolver itself (checksum, cached hash, expiry, rotation grace), so introspection and
 * `X-API-Key` can never disagree. `exp`/`iat` are not reported: they would cost a store query on the warm path.
 * Revocation goes through the API key service (audit row, invalidation on every replica); only admins reach it, an
 * API key is never "issued to" an API client.
 */
export function apiKeyKind(
  ctx: AppContext,
  keys: { readonly resolver: CredentialResolver; readonly records: ApiKeyRecords; readonly service: ApiKeyService },
): TokenKind {
  const { resolver, records, service } = keys;
  return {
    name: 'api_key',
    hints: ['api_key'],
    matches: (token) => token.startsWith('sk_'),
    introspect: async (token, request) => {
      let principal: Principal;
      try {
        principal = await resolver.resolve(token, {
          req: request.req,
          ip: request.ip ?? '',
          userAgent: request.userAgent,
        });
      } catch {
        return null;
      }
      return {
        claims: {
          scope: principal.permissions.join(' '),
          token_type: 'api_key',
          sub: principal.subject,
          iss: ctx.config.publicUrl,
          jti: principal.credentialId,
          auth_kind: 'api_key',
          org_id: principal.orgId,
          team_id: principal.teamId,
          role: principal.role,
        },
        orgId: principal.orgId,
        teamId: principal.teamId,
        issuedTo: null,
        credentialId: principal.credentialId,
      };
    },
    revoke: async (_token, facts, request) => {
      const caller = request.req.principal;
      const row = await records.findByKeyId(facts.credentialId);
      if (!caller || !row) return;
      await service.revoke(caller, row.id, request);
    },
  };
}
