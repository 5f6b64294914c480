import type { Express } from 'express';
import { authOf } from '../auth/authenticator.js';
import type { AppContext } from '../http/context.js';
import { mountRoutes } from '../http/mount-routes.js';
import { wsTicketRoutes } from './issue-route.js';
import { presentedWsTicket } from './presented-ticket.js';
import { WsTicketResolver } from './ws-ticket-resolver.js';
import { WsTickets } from './ws-ticket-store.js';

/**
 * WebSocket tickets (`ROUTE_MODULES`): `POST /auth/ws-ticket`, the ticket resolver, and the forward-auth-only place
 * tickets are read from (so only `GET /auth/verify` ever redeems one).
 */
export function registerWsTicketRoutes(app: Express, ctx: AppContext): void {
  const tickets = new WsTickets(ctx);
  const auth = authOf(ctx);
  auth.register(new WsTicketResolver(ctx, tickets));
  auth.addForwardAuthSource(presentedWsTicket);
  mountRoutes(app, wsTicketRoutes(ctx, tickets), { auth, fast: ctx.fast, openapi: ctx.openapi });
}
