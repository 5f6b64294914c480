import { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { auditContextOf, recordChange } from '../credentials/audit-context.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { forbidden } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { forbiddenResponse } from '../http/responses.js';
import { type AnyRoute, requires, route } from '../http/route.js';
import type { SigningKeySummary } from '../keys/key-ring.js';

const access = requires('keys:rotate');
const tags = ['keys'];
const refused = forbiddenResponse('lacks `keys:rotate`, or is not of the default organization');

const SigningKeySchema = z
  .object({
    kid: z.string().describe('The `kid` header of the tokens it signs and its entry in `/.well-known/jwks.json`'),
    alg: z.string(),
    state: z
      .string()
      .describe(
        '`pending` is published and signs from `activated_at`; `active` signs; `retiring` verifies until `retire_after`; `retired` does neither',
      ),
    created_at: z.string(),
    activated_at: z.string().describe('When it signs (or signed) from'),
    retire_after: z.string().nullable().describe('A retiring key: when it stops verifying'),
    retired_at: z.string().nullable(),
  })
  .meta({ id: 'SigningKey' });

const SigningKeyListSchema = z.object({ signing_keys: z.array(SigningKeySchema) }).meta({ id: 'SigningKeyList' });

const RotateSigningKeyBodySchema = z
  .strictObject({
    immediate: z
      .boolean()
      .optional()
      .describe(
        'Sign with the new key at once (a key believed compromised); consumers holding a cached JWKS may refuse its tokens until they refetch. Default false: the new key is published first and signs once every cached JWKS holds it',
      ),
  })
  .meta({ id: 'RotateSigningKeyRequest' });

const RotatedSigningKeySchema = z
  .object({
    kid: z.string().describe('The new key'),
    previous_kid: z.string().describe('The key it replaces; it keeps verifying until every token it signed expired'),
    activates_at: z.string().describe('When the new key signs from'),
  })
  .meta({ id: 'RotatedSigningKey' });

const view = (key: SigningKeySummary) => ({
  kid: key.kid,
  alg: key.alg,
  state: key.state,
  created_at: key.createdAt,
  activated_at: key.activatedAt,
  retire_after: key.retireAfter,
  retired_at: key.retiredAt,
});

/** Signing keys serve the whole deployment: only its own operators (the default org, not bound to a team) see them. */
function assertDeploymentWide(caller: Principal): void {
  if (caller.orgId !== DEFAULT_ORG_ID || caller.teamId !== null) {
    throw forbidden(
      'Signing keys belong to the deployment: only the default organization manages them',
      'not_operator',
    );
  }
}

/**
 * `/api/v1/signing-keys` (`keys:rotate`, default org only): the token signing keys and their states, and a rotation,
 * as `gatehouse keys list` and `gatehouse keys rotate` do from the command line. Never a private part.
 */
export function signingKeyRoutes(ctx: AppContext): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/signing-keys',
      summary: 'The token signing keys, newest first, with their states (public data only)',
      tags,
      access,
      responses: { 200: { description: 'Signing keys', schema: SigningKeyListSchema }, 403: refused },
      handler: async (_req, _res, { principal }) => {
        assertDeploymentWide(principal);
        return { signing_keys: (await ctx.keys.list()).map(view) };
      },
    }),
    route({
      method: 'post',
      path: '/api/v1/signing-keys/rotate',
      summary:
        'Rotate the signing key: the new key is in the JWKS at once and signs from `activates_at`; the old one verifies until its tokens expire',
      tags,
      access,
      body: { kind: 'json', schema: RotateSigningKeyBodySchema },
      bodyOptional: true,
      status: 201,
      responses: { 201: { description: 'Rotated', schema: RotatedSigningKeySchema }, 403: refused },
      handler: async (req, _res, { body, principal }) => {
        assertDeploymentWide(principal);
        const immediate = body?.immediate ?? false;
        const previousKid = ctx.keys.activeKey().kid;
        const kid = await ctx.keys.rotate({ immediate });
        const activatesAt = (await ctx.keys.list()).find((k) => k.kid === kid)?.activatedAt;
        // The rotation has happened: its audit row is written before anything else can fail.
        await recordChange(ctx.audit, auditContextOf(req), {
          kind: 'signing_key.rotated',
          orgId: principal.orgId,
          target: kid,
          credentialId: kid,
          details: { previous_kid: previousKid, activates_at: activatesAt ?? null, immediate },
        });
        // The ring lists the key it has just stored; the answer documents `activates_at` as always set.
        if (activatesAt === undefined) throw new Error(`Signing key ${kid} is not listed after its rotation`);
        return { kid, previous_kid: previousKid, activates_at: activatesAt };
      },
    }),
  ];
}
