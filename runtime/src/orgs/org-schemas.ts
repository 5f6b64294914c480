import { z } from 'zod';
import { NameSchema } from '../credentials/clients/client-schemas.js';
import { MAX_TOKEN_TTL_SECONDS, MIN_TOKEN_TTL_SECONDS } from './org-directory.js';

/** Org ids and team slugs: lower-case letters, digits and `-`, 2-63 characters, starting with a letter or digit. */
export const SlugSchema = z
  .string()
  .regex(
    /^[a-z0-9][a-z0-9-]{1,62}$/,
    'expected 2-63 lower-case letters, digits or "-", starting with a letter or digit',
  );

const TtlSchema = z
  .number()
  .int(`expected whole seconds from ${MIN_TOKEN_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS}`)
  .min(MIN_TOKEN_TTL_SECONDS, `expected whole seconds from ${MIN_TOKEN_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS}`)
  .max(MAX_TOKEN_TTL_SECONDS, `expected whole seconds from ${MIN_TOKEN_TTL_SECONDS} to ${MAX_TOKEN_TTL_SECONDS}`);

export const OrgParamsSchema = z.object({ org: SlugSchema.describe('Organization id, e.g. `default`') });
export const TeamParamsSchema = z.object({
  org: SlugSchema.describe('Organization id'),
  team: SlugSchema.describe('Team slug'),
});

export const CreateOrgBodySchema = z
  .object({
    id: SlugSchema.describe('Organization id (used in URLs and tokens), e.g. `acme`'),
    name: NameSchema,
    team_token_ttl_seconds: TtlSchema.optional().describe('Lifetime of new team tokens; default 7776000 (90 days)'),
    admin_token_ttl_seconds: TtlSchema.optional().describe('Lifetime of new admin tokens; default 2592000 (30 days)'),
  })
  .strict()
  .meta({ id: 'CreateOrgRequest' });

export const UpdateOrgBodySchema = z
  .object({
    name: NameSchema.optional(),
    team_token_ttl_seconds: TtlSchema.nullable().optional().describe('null restores the default (90 days)'),
    admin_token_ttl_seconds: TtlSchema.nullable().optional().describe('null restores the default (30 days)'),
  })
  .strict()
  .meta({ id: 'UpdateOrgRequest' });

export const CreateTeamBodySchema = z
  .object({ slug: SlugSchema.describe('URL name of the team, unique in the org'), name: NameSchema })
  .strict()
  .meta({ id: 'CreateTeamRequest' });

export const UpdateTeamBodySchema = z.object({ name: NameSchema }).strict().meta({ id: 'UpdateTeamRequest' });

export const OrgSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    team_token_ttl_seconds: z.number().int().describe('Effective lifetime of new team tokens, in seconds'),
    admin_token_ttl_seconds: z.number().int().describe('Effective lifetime of new admin tokens, in seconds'),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: 'Org' });

export const TeamSchema = z
  .object({
    id: z.string().describe('Team row id (`team_...`): the `team_id` of tokens, `/auth/me` and `X-Auth-Team`'),
    org_id: z.string(),
    slug: z.string(),
    name: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'Team' });

export const TeamListSchema = z.object({ teams: z.array(TeamSchema) }).meta({ id: 'TeamList' });
