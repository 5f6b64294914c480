import type { AppContext } from '../../http/context.js';
import { conflictResponse, forbiddenResponse, notFoundResponse } from '../../http/responses.js';
import { type AnyRoute, requires, route } from '../../http/route.js';
import { auditContextOf } from '../audit-context.js';
import {
  ClientIdParamsSchema,
  ClientListSchema,
  ClientSecretParamsSchema,
  CreateClientBodySchema,
  CreatedClientSchema,
  NewClientSecretSchema,
} from './client-schemas.js';
import type { ClientService } from './client-service.js';

const access = requires('clients:manage');
const tags = ['clients'];
const notFound = notFoundResponse('no such client in your organization');

/**
 * `/api/v1/clients`: API clients for the client-credentials grant. A caller sees and changes only the clients of its
 * own org; a client created by a team-bound caller is bound to that team (its tokens carry the team).
 */
export function clientRoutes(ctx: AppContext, service: ClientService): AnyRoute[] {
  const tokenEndpoint = `${ctx.config.publicUrl}/oauth2/token`;
  return [
    route({
      method: 'post',
      path: '/api/v1/clients',
      summary: 'Create an API client (the secret is in this response only)',
      tags,
      access,
      body: { kind: 'json', schema: CreateClientBodySchema },
      status: 201,
      responses: {
        201: { description: 'Created', schema: CreatedClientSchema },
        403: forbiddenResponse('lacks `clients:manage`, or a scope it tries to grant'),
      },
      handler: async (req, _res, { body, principal }) => {
        const { client, secret } = await service.create(body, principal, auditContextOf(req));
        return {
          client_id: client.client_id,
          client_secret: secret.client_secret,
          secret_id: secret.secret_id,
          token_endpoint: tokenEndpoint,
          scopes: client.scopes,
          name: client.name,
          org_id: client.org_id,
          created_at: client.created_at,
        };
      },
    }),
    route({
      method: 'get',
      path: '/api/v1/clients',
      summary: "List your organization's API clients and their active secrets (never a secret)",
      tags,
      access,
      responses: { 200: { description: 'Clients, newest first', schema: ClientListSchema } },
      handler: async (_req, _res, { principal }) => ({
        clients: await service.list({ orgId: principal.orgId, teamId: principal.teamId }),
      }),
    }),
    route({
      method: 'delete',
      path: '/api/v1/clients/:id',
      summary: 'Delete an API client: its secrets stop working at once on every replica',
      tags,
      access,
      params: ClientIdParamsSchema,
      status: 204,
      responses: { 204: { description: 'Deleted' }, 404: notFound },
      handler: (req, _res, { params, principal }) => service.delete(principal, params.id, auditContextOf(req)),
    }),
    route({
      method: 'post',
      path: '/api/v1/clients/:id/secrets',
      summary: 'Add a second secret for rotation (at most two active; delete the old one when switched)',
      tags,
      access,
      params: ClientIdParamsSchema,
      status: 201,
      responses: {
        201: { description: 'The new secret (shown once)', schema: NewClientSecretSchema },
        404: notFound,
        409: conflictResponse('already two active secrets'),
      },
      handler: (req, _res, { params, principal }) => service.addSecret(principal, params.id, auditContextOf(req)),
    }),
    route({
      method: 'delete',
      path: '/api/v1/clients/:id/secrets/:secret_id',
      summary: 'Revoke one secret of an API client, at once on every replica',
      tags,
      access,
      params: ClientSecretParamsSchema,
      status: 204,
      responses: { 204: { description: 'Revoked' }, 404: notFound },
      handler: (req, _res, { params, principal }) =>
        service.revokeSecret(principal, params.id, params.secret_id, auditContextOf(req)),
    }),
  ];
}
