/** Pure helpers (no DOM): times, addresses, audit filtering and its CSV. Covered by unit tests. */
import { AUDIT_CSV_COLUMNS, csvCell } from '../../audit/audit-csv.js';
import type { AuditEvent } from './types.js';

/** An ISO-8601 instant as `YYYY-MM-DD HH:MM:SS` (UTC), or null. */
export const time = (iso: string | null | undefined): string | null =>
  iso ? String(iso).replace('T', ' ').slice(0, 19) : null;

/** An API key's request budget: `120/min`, `unlimited` (0) or `default` (null: the runtime's setting). */
export const rateLimit = (perMinute: number | null | undefined): string =>
  perMinute === null || perMinute === undefined ? 'default' : perMinute === 0 ? 'unlimited' : `${perMinute}/min`;

/**
 * A client address as people read it: an IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is the IPv4 address, and
 * both loopback forms (`::1`, `127.0.0.1`) are one host, `localhost`.
 */
export function displayAddress(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  const address = mapped ? (mapped[1] as string) : ip;
  return address === '::1' || /^127\./.test(address) ? 'localhost' : address;
}

/** A `datetime-local` value read as UTC (the form says so) to ISO-8601, or undefined when empty or invalid. */
export function utcInputToIso(value: string): string | undefined {
  if (!value) return undefined;
  const at = Date.parse(`${value}Z`);
  return Number.isNaN(at) ? undefined : new Date(at).toISOString();
}

/** The ids an audit event's subject or target names: `api_key:<key_id>` names `<key_id>`; others name themselves. */
export const bareId = (value: string): string => value.replace(/^[a-z_]+:/, '');

/** Looks up a human name (e-mail, key or team name) for an id; undefined when none is known. */
export type NameOf = (id: string | null | undefined) => string | undefined;

export interface AuditFilter {
  /** Exact kind or `prefix.*`; applied by the server. */
  readonly kind?: string | undefined;
  /** ISO-8601, inclusive; applied by the server. */
  readonly since?: string | undefined;
  /** ISO-8601, inclusive. */
  readonly until?: string | undefined;
  /** Case-insensitive text in the actor's id, kind or name. */
  readonly actor?: string | undefined;
  /** Case-insensitive text in the target's id or name, or the credential id. */
  readonly target?: string | undefined;
}

const contains = (needle: string, haystack: ReadonlyArray<string | null | undefined>): boolean =>
  haystack.some((value) => value?.toLowerCase().includes(needle));

/** The filter's conditions the server does not apply (time's upper bound, actor, target). */
export function matchesAuditFilter(event: AuditEvent, filter: AuditFilter, nameOf: NameOf): boolean {
  if (filter.until && event.at > filter.until) return false;
  const actor = filter.actor?.trim().toLowerCase();
  if (actor && !contains(actor, [event.actor_subject, event.actor_kind, nameOf(event.actor_subject)])) return false;
  const target = filter.target?.trim().toLowerCase();
  if (
    target &&
    !contains(target, [event.target, event.credential_id, nameOf(event.target), nameOf(event.credential_id)])
  ) {
    return false;
  }
  return true;
}

/** The columns of the console's CSV: the runtime's export columns, with the names the console knows beside the ids. */
export const CONSOLE_AUDIT_CSV_COLUMNS = AUDIT_CSV_COLUMNS.flatMap((column) =>
  column === 'actor_subject' ? [column, 'actor_name'] : column === 'target' ? [column, 'target_name'] : [column],
);

/** The events as CSV (RFC 4180, CRLF, formula-looking cells neutralised), as `GET /api/v1/audit?format=csv` writes. */
export function auditCsv(events: readonly AuditEvent[], nameOf: NameOf): string {
  const lines = [CONSOLE_AUDIT_CSV_COLUMNS.join(',')];
  for (const event of events) {
    const row: Record<string, unknown> = {
      ...event,
      details: event.details ? JSON.stringify(event.details) : null,
      actor_name: nameOf(event.actor_subject),
      target_name: nameOf(event.target),
    };
    lines.push(CONSOLE_AUDIT_CSV_COLUMNS.map((column) => csvCell(row[column])).join(','));
  }
  return `${lines.join('\r\n')}\r\n`;
}
