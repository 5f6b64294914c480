import type { AuditWriter } from '../audit/audit-writer.js';
import { type AuditContext, type ChangeEvent, recordChange } from '../credentials/audit-context.js';
import type { OrgDirectory, OrgView, TeamView } from './org-directory.js';

type NewOrg = Parameters<OrgDirectory['createOrg']>[0];
type OrgChanges = Parameters<OrgDirectory['updateOrg']>[1];

export interface OrgServiceDeps {
  readonly orgs: OrgDirectory;
  /** Writes the audit row of every change. */
  readonly audit: AuditWriter;
}

/**
 * Organizations and their teams as the orgs API reads and changes them; every change is audited as made by `who`.
 * Tenant checks (may the caller act in this org, on this team) are the routes' (`org-scope.ts`, `target-team.ts`).
 */
export class OrgService {
  readonly #o: OrgServiceDeps;

  constructor(deps: OrgServiceDeps) {
    this.#o = deps;
  }

  getOrg(orgId: string): Promise<OrgView> {
    return this.#o.orgs.getOrg(orgId);
  }

  listTeams(orgId: string): Promise<TeamView[]> {
    return this.#o.orgs.listTeams(orgId);
  }

  getTeam(orgId: string, slug: string): Promise<TeamView> {
    return this.#o.orgs.getTeam(orgId, slug);
  }

  async createOrg(input: NewOrg, who: AuditContext): Promise<OrgView> {
    const org = await this.#o.orgs.createOrg(input);
    return this.#recorded(org, who, { kind: 'org.created', orgId: org.id, target: org.id });
  }

  async updateOrg(orgId: string, changes: OrgChanges, who: AuditContext): Promise<OrgView> {
    const org = await this.#o.orgs.updateOrg(orgId, changes);
    return this.#recorded(org, who, { kind: 'org.updated', orgId, target: orgId, details: changes });
  }

  async createTeam(orgId: string, input: { slug: string; name: string }, who: AuditContext): Promise<TeamView> {
    const team = await this.#o.orgs.createTeam(orgId, input);
    return this.#recorded(team, who, { kind: 'team.created', orgId, target: team.id, details: { slug: team.slug } });
  }

  async renameTeam(team: TeamView, name: string, who: AuditContext): Promise<TeamView> {
    const renamed = await this.#o.orgs.renameTeam(team.org_id, team.slug, name);
    return this.#recorded(renamed, who, {
      kind: 'team.updated',
      orgId: team.org_id,
      target: team.id,
      details: { name },
    });
  }

  /** `changed`, after writing the audit row of its change (a failed write fails the request). */
  async #recorded<T>(changed: T, who: AuditContext, event: ChangeEvent): Promise<T> {
    await recordChange(this.#o.audit, who, event);
    return changed;
  }
}
