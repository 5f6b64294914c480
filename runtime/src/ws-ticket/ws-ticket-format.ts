import { randomSecret } from '../credentials/random-secret.js';

/** Lifetime of a WebSocket ticket, in seconds (the contract's "one-time ticket (30 s)"). */
export const WS_TICKET_TTL_SECONDS = 30;

/** Prefix of every ticket, so one that leaks into a log or a bug report says what it is. */
export const WS_TICKET_PREFIX = 'wst_';

/** `wst_` + 43 base64url characters (256 bits from the CSPRNG). */
const WS_TICKET_SHAPE = /^wst_[A-Za-z0-9_-]{43}$/;

/** A fresh ticket: opaque, 256 random bits, shown once; the store keeps only its keyed hash. */
export function generateWsTicket(): string {
  return `${WS_TICKET_PREFIX}${randomSecret()}`;
}

/** Whether `value` has a ticket's shape (no I/O, no secret check). */
export function looksLikeWsTicket(value: string): boolean {
  return WS_TICKET_SHAPE.test(value);
}
