import type { Redis } from 'ioredis';
import { z } from 'zod';
import { LastUsedThrottle } from '../credentials/last-used-throttle.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema } from '../http/openapi.js';
import { requestMeta } from '../http/request-meta.js';
import { type AnyRoute, requires, route } from '../http/route.js';
import { RateLimiter } from '../rate-limit/limiter.js';
import { WS_TICKET_TTL_SECONDS } from './ws-ticket-format.js';
import type { WsTickets } from './ws-ticket-store.js';

/** Tickets one principal may get per window: every ticket is a store row, so the caller must not set the pace. */
export const WS_TICKET_ISSUE_LIMIT = 60;
/** The issuance window, in seconds (one minute). */
export const WS_TICKET_ISSUE_WINDOW_SECONDS = 60;
/** At most one `ws_ticket.issued` audit row per principal in this window, in ms (one minute). */
export const WS_TICKET_AUDIT_INTERVAL_MS = 60_000;

const WsTicketResponseSchema = z
  .object({
    ticket: z.string().describe('One-time ticket (wst_...); present it once, within expires_in seconds'),
    expires_in: z.literal(WS_TICKET_TTL_SECONDS).describe('Lifetime in seconds'),
  })
  .meta({ id: 'WsTicket' });

/**
 * `POST /auth/ws-ticket`: any authenticated caller (cookie session, which the session resolver holds to the CSRF
 * Origin check like every unsafe cookie request; Bearer; X-API-Key) gets a one-time ticket for a WebSocket upgrade,
 * so the long-lived credential never goes into a URL.
 */
export function wsTicketRoutes(ctx: AppContext, tickets: WsTickets, redis: Redis | null): AnyRoute[] {
  const limiter = new RateLimiter(ctx, redis, {
    name: 'ws-ticket',
    points: WS_TICKET_ISSUE_LIMIT,
    durationSeconds: WS_TICKET_ISSUE_WINDOW_SECONDS,
  });
  const auditThrottle = new LastUsedThrottle(WS_TICKET_AUDIT_INTERVAL_MS);
  return [
    route({
      method: 'post',
      path: '/auth/ws-ticket',
      summary: 'One-time ticket (30 s) for a WebSocket upgrade',
      description:
        'Put the ticket in the upgrade URL (?ws_ticket=) instead of a long-lived credential. The gateway presents ' +
        'it to GET /auth/verify (query, X-WS-Ticket or X-Forwarded-Uri), which consumes it and answers with the ' +
        'X-Auth-* headers of the caller that asked for it. Tickets are accepted nowhere else. Limited to ' +
        `${WS_TICKET_ISSUE_LIMIT} tickets per caller per ${WS_TICKET_ISSUE_WINDOW_SECONDS} s.`,
      tags: ['auth'],
      access: requires(),
      responses: {
        200: { description: 'The ticket (Cache-Control: no-store)', schema: WsTicketResponseSchema },
        429: {
          description: '`rate_limited`: too many tickets or failed attempts; see Retry-After',
          schema: ErrorBodySchema,
        },
      },
      handler: async (req, _res, { principal: caller }) => {
        const callerKey = `${caller.kind}|${caller.subject}`;
        await limiter.consume(callerKey);
        const issued = await tickets.issue(caller);
        // A row per ticket would let a caller turn its traffic into audit writes: one per caller per minute.
        if (auditThrottle.shouldWrite(callerKey, ctx.clock.now())) {
          ctx.audit.recordInBackground({
            kind: 'ws_ticket.issued',
            outcome: 'success',
            actor: { kind: caller.kind, subject: caller.subject },
            credentialId: caller.credentialId,
            orgId: caller.orgId,
            ...requestMeta(req),
          });
        }
        return { ticket: issued.ticket, expires_in: issued.expiresIn };
      },
    }),
  ];
}
