import { z } from 'zod';
import { type AnyRoute, requires, route } from '../http/route.js';
import { canWrite, type Principal } from './principal.js';

export const MeSchema = z
  .object({
    role: z.string().nullable(),
    auth_kind: z.enum(['session', 'api_key', 'client_credentials', 'team_token', 'admin_token', 'entra_jwt']),
    org_id: z.string(),
    team_id: z.string().nullable(),
    subject: z.string(),
    email: z.string().nullable(),
    name: z.string().nullable(),
    can_write: z.boolean(),
    permissions: z.array(z.string()),
    scopes: z.array(z.string()),
  })
  .meta({ id: 'Me' });

/** The contract's `/auth/me` body for a principal. */
export function meBody(principal: Principal): z.output<typeof MeSchema> {
  return {
    role: principal.role,
    auth_kind: principal.kind,
    org_id: principal.orgId,
    team_id: principal.teamId,
    subject: principal.subject,
    email: principal.email ?? null,
    name: principal.name ?? null,
    can_write: canWrite(principal),
    permissions: [...principal.permissions],
    scopes: [...principal.scopes],
  };
}

/** `GET /auth/me`: who the caller is, for any credential kind. */
export function meRoutes(): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/auth/me',
      summary: 'The authenticated caller: role, credential kind, org/team, permissions and scopes',
      tags: ['auth'],
      access: requires(),
      responses: { 200: { description: 'The caller', schema: MeSchema } },
      handler: (_req, _res, { principal }) => meBody(principal),
    }),
  ];
}
