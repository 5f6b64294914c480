import type { Principal } from '../auth/principal.js';
import { isoIn, isoNow } from '../clock.js';
import { hashSecret } from '../crypto/secret-hash.js';
import type { AppContext } from '../http/context.js';
import { newId } from '../ids.js';
import { principalFromSnapshot, snapshotPrincipal } from './principal-snapshot.js';
import { generateWsTicket, WS_TICKET_TTL_SECONDS } from './ws-ticket-format.js';

/** At most one clean-up of expired tickets per replica in this window, in ms (five minutes; tickets live 30 s). */
export const WS_TICKET_PRUNE_INTERVAL_MS = 300_000;

export interface IssuedWsTicket {
  /** The ticket itself, shown once. */
  readonly ticket: string;
  /** Lifetime in seconds. */
  readonly expiresIn: typeof WS_TICKET_TTL_SECONDS;
}

/** Why a presented ticket was refused; the caller is told none of this. */
export type WsTicketFailureReason = 'unknown' | 'used' | 'expired';

export type WsTicketRedemption =
  | { readonly ok: true; readonly principal: Principal }
  | {
      readonly ok: false;
      readonly reason: WsTicketFailureReason;
      /** Row id and snapshot of the ticket, only when its hash matched a row (`used`, `expired`). */
      readonly ticketId: string | null;
      readonly subject: string | null;
      readonly subjectKind: string | null;
      readonly orgId: string | null;
    };

/**
 * The `ws_tickets` table: tickets are stored only as HMAC-SHA-256 under the pepper (`API_KEY_PEPPER`), together with
 * a snapshot of the principal that asked for them and their expiry. Redeeming is one atomic UPDATE, so of two
 * replicas presented the same ticket at the same moment exactly one wins, in SQLite and PostgreSQL alike.
 */
export class WsTickets {
  readonly #ctx: AppContext;
  #lastPruneMs = Number.NEGATIVE_INFINITY;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  /** Stores a new ticket for `principal` (and, at most every five minutes, deletes expired ones in the background). */
  async issue(principal: Principal): Promise<IssuedWsTicket> {
    const ticket = generateWsTicket();
    await this.#ctx.store.db
      .insertInto('ws_tickets')
      .values({
        id: newId('wst'),
        ticket_hash: this.#hash(ticket),
        subject: principal.subject,
        principal: snapshotPrincipal(principal),
        created_at: isoNow(this.#ctx.clock),
        expires_at: isoIn(this.#ctx.clock, WS_TICKET_TTL_SECONDS),
        used_at: null,
      })
      .execute();
    this.#pruneNowAndThen();
    return { ticket, expiresIn: WS_TICKET_TTL_SECONDS };
  }

  /**
   * Consumes `ticket` if it exists, is unused and unexpired (`UPDATE ... WHERE used_at IS NULL AND expires_at > now
   * RETURNING`: the row count is the verdict). Otherwise says why, reading the row only to label the failure.
   */
  async redeem(ticket: string): Promise<WsTicketRedemption> {
    const now = isoNow(this.#ctx.clock);
    const hash = this.#hash(ticket);
    const consumed = await this.#ctx.store.db
      .updateTable('ws_tickets')
      .set({ used_at: now })
      .where('ticket_hash', '=', hash)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .returning(['principal'])
      .execute();
    const row = consumed[0];
    if (consumed.length === 1 && row) {
      return { ok: true, principal: principalFromSnapshot(this.#ctx.config.catalog, row.principal) };
    }
    const existing = await this.#ctx.store.db
      .selectFrom('ws_tickets')
      .select(['id', 'principal', 'used_at'])
      .where('ticket_hash', '=', hash)
      .executeTakeFirst();
    if (!existing) {
      return { ok: false, reason: 'unknown', ticketId: null, subject: null, subjectKind: null, orgId: null };
    }
    const owner = principalFromSnapshot(this.#ctx.config.catalog, existing.principal);
    return {
      ok: false,
      reason: existing.used_at === null ? 'expired' : 'used',
      ticketId: existing.id,
      subject: owner.subject,
      subjectKind: owner.kind,
      orgId: owner.orgId,
    };
  }

  /** Deletes tickets past their expiry (used or not); returns how many. */
  async pruneExpired(): Promise<number> {
    const result = await this.#ctx.store.db
      .deleteFrom('ws_tickets')
      .where('expires_at', '<=', isoNow(this.#ctx.clock))
      .executeTakeFirst();
    return Number(result.numDeletedRows);
  }

  /** Issuing drives clean-up, so a replica that issues no tickets never runs it and needs no timer. */
  #pruneNowAndThen(): void {
    const now = this.#ctx.clock.now();
    if (now - this.#lastPruneMs < WS_TICKET_PRUNE_INTERVAL_MS) return;
    this.#lastPruneMs = now;
    this.pruneExpired().catch((error: unknown) =>
      this.#ctx.logger.warn({ err: error }, 'deleting expired WebSocket tickets failed'),
    );
  }

  #hash(ticket: string): string {
    return hashSecret(this.#ctx.config.apiKeyPepper, ticket);
  }
}
