import { auditUseFailure } from '../audit/use-failure-audit.js';
import type { Principal } from '../auth/principal.js';
import type { AuthRequest, CredentialResolver, CredentialSource } from '../auth/resolver.js';
import { unauthorized } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { looksLikeWsTicket } from './ws-ticket-format.js';
import type { WsTickets } from './ws-ticket-store.js';

/** Name of the resolver (the `kind` label of its auth metrics). */
export const WS_TICKET_RESOLVER_NAME = 'ws_ticket';

/** The one answer to every refused ticket: unknown, already used and expired look the same to the caller. */
export const WS_TICKET_REFUSED_MESSAGE = 'Invalid, used or expired WebSocket ticket';

/**
 * WebSocket tickets at forward auth. Listens only on the `ws_ticket` source, which only `GET /auth/verify` presents,
 * so a ticket sent as Bearer or X-API-Key to any route is not this resolver's (and no other resolver's) credential.
 * A redeemed ticket yields the snapshotted principal, `kind` being the original credential's `auth_kind`.
 */
export class WsTicketResolver implements CredentialResolver {
  readonly name = WS_TICKET_RESOLVER_NAME;
  readonly sources: readonly CredentialSource[] = ['ws_ticket'];
  readonly #ctx: AppContext;
  readonly #tickets: WsTickets;

  constructor(ctx: AppContext, tickets: WsTickets) {
    this.#ctx = ctx;
    this.#tickets = tickets;
  }

  matches(value: string): boolean {
    return looksLikeWsTicket(value);
  }

  async resolve(ticket: string, request: AuthRequest): Promise<Principal> {
    const redemption = await this.#tickets.redeem(ticket);
    if (redemption.ok) return redemption.principal;
    // Subject and org only when the hash matched a row (used or expired); an unknown ticket names nobody.
    auditUseFailure(this.#ctx, {
      kind: 'ws_ticket.use_failed',
      credentialId: redemption.ticketId,
      reason: redemption.reason,
      ip: request.ip,
      userAgent: request.userAgent,
      orgId: redemption.orgId,
      subject: redemption.subject,
      subjectKind: redemption.subjectKind ?? undefined,
    });
    // `expired` does not count toward the brute-force limit (the caller held a real ticket); unknown and replayed do.
    throw unauthorized(WS_TICKET_REFUSED_MESSAGE, redemption.reason);
  }
}
