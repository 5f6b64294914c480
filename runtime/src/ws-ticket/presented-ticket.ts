import type { IncomingMessage } from 'node:http';
import type { PresentedCredential } from '../auth/presented-credential.js';

/** Header a gateway sets to the ticket it took from the upgrade request (e.g. nginx `$arg_ws_ticket`). */
export const WS_TICKET_HEADER = 'x-ws-ticket';
/** Query parameter a browser puts the ticket in (`new WebSocket('wss://.../ws?ws_ticket=wst_...')`). */
export const WS_TICKET_PARAM = 'ws_ticket';

const PARAM_MARKER = `${WS_TICKET_PARAM}=`;

/** The first `ws_ticket` parameter of a URL's query, if any. Cheap when there is none (hot path). */
function ticketInUrl(url: string | undefined): string | undefined {
  if (!url?.includes(PARAM_MARKER)) return undefined;
  const q = url.indexOf('?');
  if (q === -1) return undefined;
  return new URLSearchParams(url.slice(q + 1)).get(WS_TICKET_PARAM) ?? undefined;
}

/**
 * Where forward auth (`GET /auth/verify`, and its Envoy form `/auth/verify/{original path}`) finds a WebSocket ticket:
 * the `X-WS-Ticket` header, else `?ws_ticket=` of the request itself (a gateway forwarding the upgrade's query, or
 * Envoy's original path and query), else `ws_ticket` in the query of `X-Forwarded-Uri` (Traefik ForwardAuth sends the
 * original URI there). A header is no trust decision here: the ticket proves itself by its hash, like any credential.
 */
export function presentedWsTicket(req: IncomingMessage): PresentedCredential | undefined {
  const header = req.headers[WS_TICKET_HEADER];
  if (typeof header === 'string' && header !== '') return { source: 'ws_ticket', value: header.trim() };
  const inQuery = ticketInUrl(req.url);
  if (inQuery) return { source: 'ws_ticket', value: inQuery };
  const forwardedUri = req.headers['x-forwarded-uri'];
  const inForwardedUri = typeof forwardedUri === 'string' ? ticketInUrl(forwardedUri) : undefined;
  if (inForwardedUri) return { source: 'ws_ticket', value: inForwardedUri };
  return undefined;
}
