import type { Logger } from 'pino';
import { type Clock, isoNow } from '../clock.js';
import { newId } from '../ids.js';
import { isSecretField } from '../logger.js';
import type { Store } from '../store/store.js';
import { isStoreUnavailable } from '../store/store-errors.js';

export interface AuditEvent {
  /** What happened, dotted: `api_key.created`, `api_key.used`, `session.refresh_reuse`, `signing_key.rotated`. */
  readonly kind: string;
  readonly outcome: 'success' | 'failure';
  /** Who did it, as authenticated by the runtime (never taken from a request header). */
  readonly actor?: { readonly kind: string; readonly subject: string } | null;
  /** Public id of the credential involved (key_id, client_id, token_id, kid); never its secret. */
  readonly credentialId?: string | null;
  readonly orgId?: string | null;
  readonly target?: string | null;
  /** Short fixed word for failures: `expired`, `revoked`, `bad_secret`, `unknown`. */
  readonly reason?: string | null;
  /** Caller address and user agent; fill from the request with `requestMeta(req)`. */
  readonly ip?: string | null;
  readonly userAgent?: string | null;
  /** Free-form detail; fields with secret-looking names are dropped before writing. */
  readonly details?: Readonly<Record<string, unknown>>;
}

function scrub(details: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(details)) {
    if (isSecretField(key)) continue;
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value)
        ? scrub(value as Record<string, unknown>)
        : value;
  }
  return out;
}

/** Appends audit events to the store. One call writes one row; callers decide what is worth a row. */
export class AuditWriter {
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;
  /**
   * When the last `failure` row of each (kind, credential or '-', reason, address) was written, in ms: the throttle of
   * `auditUseFailure`, kept by the writer so it lives as long as the app does.
   */
  readonly recentUseFailures = new Map<string, number>();

  constructor(store: Store, clock: Clock, logger: Logger) {
    this.#store = store;
    this.#clock = clock;
    this.#logger = logger;
  }

  async record(event: AuditEvent): Promise<string> {
    const id = newId('aud');
    await this.#store.db
      .insertInto('audit_events')
      .values({
        id,
        at: isoNow(this.#clock),
        kind: event.kind,
        outcome: event.outcome,
        actor_kind: event.actor?.kind ?? null,
        actor_subject: event.actor?.subject ?? null,
        credential_id: event.credentialId ?? null,
        org_id: event.orgId ?? null,
        target: event.target ?? null,
        reason: event.reason ?? null,
        ip: event.ip ?? null,
        user_agent: event.userAgent ?? null,
        details: event.details ? JSON.stringify(scrub(event.details)) : null,
      })
      .execute();
    return id;
  }

  /** Like `record`, but a failure to write is logged instead of failing the request (for use-failure events). */
  recordInBackground(event: AuditEvent): void {
    this.record(event).catch((error) => {
      // An unreachable store is an outage (logged where requests fail), not a bug of the audit trail.
      const level = isStoreUnavailable(error) ? 'warn' : 'error';
      this.#logger[level]({ err: error, kind: event.kind }, 'audit write failed');
    });
  }
}
