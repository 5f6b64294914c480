import type { Selectable } from 'kysely';
import type { AuditEventsTable } from '../store/schema.js';
import type { Store } from '../store/store.js';

export type AuditEventRow = Selectable<AuditEventsTable>;

/** Which events a reader asks for, newest first. */
export interface AuditEventQuery {
  /** Exact kind (`api_key.revoked`) or prefix (`api_key.*`). */
  readonly kind?: string | undefined;
  /** Only events at or after this ISO-8601 time (any offset). */
  readonly since?: string | undefined;
  readonly limit: number;
}

/** The store queries that read the audit trail (`AuditWriter` appends to it). */
export class AuditRecords {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Events of `scope.orgId` matching `query`, newest first; with `scope.withoutOrg`, also those of no org. */
  list(
    scope: { readonly orgId: string; readonly withoutOrg: boolean },
    query: AuditEventQuery,
  ): Promise<AuditEventRow[]> {
    let select = this.#store.db.selectFrom('audit_events').selectAll();
    select = scope.withoutOrg
      ? select.where((eb) => eb.or([eb('org_id', '=', scope.orgId), eb('org_id', 'is', null)]))
      : select.where('org_id', '=', scope.orgId);
    if (query.kind?.endsWith('.*')) {
      // A prefix as a range, not LIKE: in a LIKE pattern `_` (common in kinds) would match any character. Every kind
      // starting with `api_key.` sorts at or after it and before `api_key/` ('/' follows '.').
      const prefix = query.kind.slice(0, -1);
      select = select.where('kind', '>=', prefix).where('kind', '<', `${prefix.slice(0, -1)}/`);
    } else if (query.kind) select = select.where('kind', '=', query.kind);
    // Stored times are UTC ISO strings, compared as text.
    if (query.since) select = select.where('at', '>=', new Date(query.since).toISOString());
    return select.orderBy('at', 'desc').orderBy('id', 'desc').limit(query.limit).execute();
  }
}
