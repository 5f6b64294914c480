import { z } from 'zod';
import type { AppContext } from '../http/context.js';
import { sendJson, writeFastHead } from '../http/fast-router.js';
import { type AnyRoute, route } from '../http/route.js';
import { JWKS_MAX_AGE_SECONDS, JWKS_STALE_SECONDS } from '../keys/key-ring.js';

export { JWKS_MAX_AGE_SECONDS };

const JwksSchema = z.object({ keys: z.array(z.record(z.string(), z.unknown())) }).meta({ id: 'Jwks' });
const MetadataSchema = z.record(z.string(), z.unknown()).meta({ id: 'AuthorizationServerMetadata' });

const tags = ['discovery'];

/** `/.well-known/jwks.json` (hot path) and RFC 8414 `/.well-known/oauth-authorization-server`, both fast routes. */
export function wellKnownRoutes(ctx: AppContext): AnyRoute[] {
  const base = ctx.config.publicUrl;
  const metadata = {
    issuer: base,
    token_endpoint: `${base}/oauth2/token`,
    introspection_endpoint: `${base}/oauth2/introspect`,
    revocation_endpoint: `${base}/oauth2/revoke`,
    jwks_uri: `${base}/.well-known/jwks.json`,
    // Only what POST /oauth2/token accepts (refresh tokens are rotated at POST /auth/refresh, not here).
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    introspection_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    revocation_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: [...ctx.config.catalog.scopeValues],
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    service_documentation: `${base}/openapi.json`,
  };
  return [
    route({
      method: 'get',
      path: '/.well-known/jwks.json',
      summary: 'Public signing keys: the active key and still-valid previous keys',
      tags,
      access: 'public',
      responses: {
        200: { description: 'JSON Web Key Set', schema: JwksSchema, contentType: 'application/jwk-set+json' },
      },
      fast: true,
      handler: (_req, res) => {
        const body = ctx.keys.jwksJson();
        writeFastHead(res, 200, [
          'Content-Type',
          'application/jwk-set+json',
          'Cache-Control',
          `public, max-age=${JWKS_MAX_AGE_SECONDS}, stale-while-revalidate=${JWKS_STALE_SECONDS}`,
          'Content-Length',
          String(Buffer.byteLength(body)),
        ]);
        res.end(body);
      },
    }),
    route({
      method: 'get',
      path: '/.well-known/oauth-authorization-server',
      summary: 'OAuth 2.0 authorization server metadata (RFC 8414)',
      tags,
      access: 'public',
      responses: { 200: { description: 'Metadata', schema: MetadataSchema } },
      fast: true,
      handler: (_req, res) => {
        sendJson(res, 200, metadata, { 'Cache-Control': 'public, max-age=3600' });
      },
    }),
  ];
}
