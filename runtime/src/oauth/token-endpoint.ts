import { z } from 'zod';
import { OAuthErrorBodySchema } from '../http/openapi.js';
import { type AnyRoute, route } from '../http/route.js';
import type { GrantRegistry } from './grants.js';
import { oauthError, sendOAuthJson } from './oauth-http.js';

export const TokenResponseSchema = z
  .object({
    access_token: z.string().describe('ES256 JWT (our access token), `auth_kind` client_credentials'),
    token_type: z.literal('Bearer'),
    expires_in: z.number().int().describe('Lifetime in seconds (ACCESS_TOKEN_TTL_SECONDS, default 1800)'),
    scope: z.string().describe('Granted scopes, space separated'),
  })
  .meta({ id: 'TokenResponse' });

const TokenRequestSchema = z.object({
  grant_type: z.string().describe('`client_credentials`'),
  scope: z.string().optional().describe('Space-separated subset of the client scopes; default all of them'),
  client_id: z.string().optional().describe('client_secret_post only'),
  client_secret: z.string().optional().describe('client_secret_post only'),
});

/**
 * `POST /oauth2/token` (RFC 6749 3.2), a fast route: dispatch on `grant_type` to the handlers in `grants`, RFC 6749
 * 5.2 errors, `Cache-Control: no-store` and `Pragma: no-cache` on every answer.
 */
export function tokenRoutes(grants: GrantRegistry): AnyRoute[] {
  return [
    route({
      method: 'post',
      path: '/oauth2/token',
      summary: 'OAuth 2.0 token endpoint: client_credentials grant (client_secret_basic or client_secret_post)',
      tags: ['oauth'],
      access: { security: ['clientBasic'], authenticates: 'handler' },
      body: { kind: 'oauth-form', schema: TokenRequestSchema },
      responses: {
        200: { description: 'An access token', schema: TokenResponseSchema },
        400: {
          description: '`invalid_request`, `invalid_scope` or `unsupported_grant_type`',
          schema: OAuthErrorBodySchema,
        },
        401: { description: '`invalid_client`, with `WWW-Authenticate: Basic`', schema: OAuthErrorBodySchema },
        429: { description: 'Too many failed client authentications from this address (`Retry-After`)' },
      },
      fast: true,
      handler: async (req, res, { body: form }) => {
        const grantType = form.get('grant_type');
        if (!grantType) throw oauthError('invalid_request', 'The grant_type parameter is required');
        const handler = grants.get(grantType);
        if (!handler) {
          throw oauthError(
            'unsupported_grant_type',
            `The grant type ${JSON.stringify(grantType.slice(0, 64))} is not supported; supported: ${grants.types().join(', ')}`,
          );
        }
        sendOAuthJson(res, await handler(req, form));
      },
    }),
  ];
}
