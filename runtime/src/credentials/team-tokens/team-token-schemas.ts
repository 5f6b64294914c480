import { z } from 'zod';
import { NameSchema } from '../clients/client-schemas.js';

export const IssueTokenBodySchema = z
  .object({
    name: NameSchema.optional().describe('What the token is for'),
    scopes: z
      .array(z.string())
      .optional()
      .describe("Product scopes granted on top of the kind's permissions; you must hold each yourself"),
    expires_in_seconds: z
      .number()
      .int('expected whole seconds')
      .min(60, 'expected at least 60 seconds')
      .optional()
      .describe("Lifetime in seconds, at most the org policy's; default the org policy"),
  })
  .strict()
  .meta({ id: 'IssueTokenRequest' });

export const RevokeTokenBodySchema = z
  .object({ token_id: z.string().min(1, 'expected the token id (`tok_...`)').describe('The `<tokid>` part') })
  .strict()
  .meta({ id: 'RevokeTokenRequest' });

export const TokenSummarySchema = z
  .object({
    token_id: z.string(),
    kind: z.enum(['team', 'admin']),
    org_id: z.string(),
    team_id: z.string().nullable(),
    name: z.string().nullable(),
    permissions: z.array(z.string()).describe("The kind's permissions plus the granted scopes"),
    created_by: z.string(),
    created_at: z.string(),
    expires_at: z.string().nullable(),
    last_used_at: z.string().nullable(),
    revoked_at: z.string().nullable(),
    status: z.enum(['active', 'expired', 'revoked']),
  })
  .meta({ id: 'TeamTokenSummary' });

export const IssuedTokenSchema = TokenSummarySchema.extend({
  token: z.string().describe('`<tokid>.<toksecret>`, shown once; send as `Authorization: Bearer`'),
}).meta({ id: 'IssuedTeamToken' });

export const TokenListSchema = z.object({ tokens: z.array(TokenSummarySchema) }).meta({ id: 'TeamTokenList' });
