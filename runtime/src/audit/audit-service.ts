import type { Principal } from '../auth/principal.js';
import { DEFAULT_ORG_ID } from '../credentials/bootstrap-admin.js';
import { assertOrgWide } from '../orgs/org-scope.js';
import type { AuditEventQuery, AuditEventRow, AuditRecords } from './audit-records.js';

/**
 * Reading the audit trail: a caller sees its org's events. Events that belong to no org (e.g. signing-key rotation)
 * are shown to the default org, which runs the deployment. A team-bound caller is refused (`403 forbidden`, reason
 * `team_bound`): audit rows carry an org but no team, so the only view there is would show the other teams' events.
 */
export class AuditService {
  readonly #records: AuditRecords;

  constructor(records: AuditRecords) {
    this.#records = records;
  }

  /** The caller's events matching `query`, newest first. */
  async events(caller: Principal, query: AuditEventQuery): Promise<AuditEventRow[]> {
    assertOrgWide(caller, caller.orgId);
    return this.#records.list({ orgId: caller.orgId, withoutOrg: caller.orgId === DEFAULT_ORG_ID }, query);
  }
}
