import { z } from 'zod';
import { ErrorBodySchema } from '../http/openapi.js';
import { forbiddenResponse } from '../http/responses.js';
import { type AnyRoute, requires, route } from '../http/route.js';
import { toCsv } from './audit-csv.js';
import type { AuditService } from './audit-service.js';

/** Most events one request returns. */
export const MAX_AUDIT_LIMIT = 1000;

const KIND = /^[a-z0-9_]+(?:\.[a-z0-9_]+)*(?:\.\*)?$/;

export const AuditQuerySchema = z.object({
  format: z.enum(['json', 'csv']).default('json'),
  kind: z
    .string()
    .max(100)
    .regex(KIND, 'must be an event kind like api_key.revoked, or a prefix like api_key.*')
    .optional()
    .describe('Exact kind (`api_key.revoked`) or prefix (`api_key.*`)'),
  since: z.iso.datetime({ offset: true }).optional().describe('Only events at or after this ISO-8601 time'),
  limit: z.coerce.number().int().min(1).max(MAX_AUDIT_LIMIT).default(100).describe('Most events, newest first'),
});

const AuditEventSchema = z
  .object({
    id: z.string(),
    at: z.string(),
    kind: z.string(),
    outcome: z.enum(['success', 'failure']),
    actor_kind: z.string().nullable(),
    actor_subject: z.string().nullable(),
    credential_id: z.string().nullable(),
    org_id: z.string().nullable(),
    target: z.string().nullable(),
    reason: z.string().nullable(),
    ip: z.string().nullable(),
    user_agent: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).nullable(),
  })
  .meta({ id: 'AuditEvent' });

/**
 * `GET /api/v1/audit?format=json|csv&kind=&since=&limit=` (`audit:read`): the caller's org's events, newest first
 * (who sees what: `AuditService`).
 */
export function auditRoutes(audit: AuditService): AnyRoute[] {
  return [
    route({
      method: 'get',
      path: '/api/v1/audit',
      summary: "Audit events of the caller's org as JSON or CSV",
      tags: ['audit'],
      access: requires('audit:read'),
      query: AuditQuerySchema,
      responses: {
        200: { description: 'Events, newest first', schema: z.object({ events: z.array(AuditEventSchema) }) },
        400: { description: '`invalid_request` naming the parameter', schema: ErrorBodySchema },
        // The service also refuses a team-bound caller.
        403: forbiddenResponse('lacks `audit:read`, or is bound to a team'),
      },
      handler: async (_req, res, { query, principal }) => {
        const rows = await audit.events(principal, query);
        res.set('Cache-Control', 'no-store');
        if (query.format === 'csv') {
          res
            .type('text/csv; charset=utf-8')
            .set('Content-Disposition', 'attachment; filename="gatehouse-audit.csv"')
            .send(toCsv(rows));
          return;
        }
        res.json({
          events: rows.map((row) => ({ ...row, details: row.details ? (JSON.parse(row.details) as unknown) : null })),
        });
      },
    }),
  ];
}
