import { z } from 'zod';
import { idPattern } from '../../ids.js';

/** Display names: 1-100 printable characters. */
export const NameSchema = z
  .string()
  .trim()
  .min(1, 'expected 1-100 characters')
  .max(100, 'expected 1-100 characters')
  .regex(/^[^\p{Cc}]+$/u, 'expected printable characters');

export const CreateClientBodySchema = z
  .object({
    name: NameSchema.describe('What the client is, e.g. "SOAR integration"'),
    scopes: z
      .array(z.string())
      .min(1, 'expected at least one scope')
      .describe('Catalog scopes (or management permissions) the client may request; you must hold each yourself'),
  })
  .strict()
  .meta({ id: 'CreateClientRequest' });

const clientId = z
  .string()
  .regex(idPattern('cli'), 'must be a client_id: cli_ and 20 lower-case letters or digits')
  .describe('The `client_id` (`cli_...`)');
export const ClientIdParamsSchema = z.object({ id: clientId });
export const ClientSecretParamsSchema = z.object({
  id: clientId,
  secret_id: z
    .string()
    .regex(idPattern('sec'), 'must be a secret id: sec_ and 20 lower-case letters or digits')
    .describe('The secret id (`sec_...`)'),
});

const ClientSecretSummarySchema = z.object({
  secret_id: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
});

export const ClientSummarySchema = z
  .object({
    client_id: z.string(),
    name: z.string(),
    scopes: z.array(z.string()),
    org_id: z.string(),
    team_id: z.string().nullable(),
    created_by: z.string(),
    created_at: z.string(),
    secrets: z.array(ClientSecretSummarySchema).describe('Active secrets (at most two), without the secret'),
  })
  .meta({ id: 'ApiClient' });

export const ClientListSchema = z.object({ clients: z.array(ClientSummarySchema) }).meta({ id: 'ApiClientList' });

export const CreatedClientSchema = z
  .object({
    client_id: z.string(),
    client_secret: z.string().describe('Shown once; store it now'),
    secret_id: z.string(),
    token_endpoint: z.string().describe('Where to send `grant_type=client_credentials`'),
    scopes: z.array(z.string()),
    name: z.string(),
    org_id: z.string(),
    created_at: z.string(),
  })
  .meta({ id: 'CreatedApiClient' });

export const NewClientSecretSchema = z
  .object({
    client_id: z.string(),
    secret_id: z.string(),
    client_secret: z.string().describe('Shown once; store it now'),
    created_at: z.string(),
  })
  .meta({ id: 'NewClientSecret' });
