import type { Principal } from '../auth/principal.js';
import { forbidden } from '../errors.js';

/**
 * Tenant checks for admin routes, made on the TARGET of a request, not only on the caller's permissions: holding
 * `tokens:manage` in one org never reaches into another org, and a team-bound credential never reaches another team.
 * There is no cross-org administrator; a new org gets its first admin token when it is created.
 */

/** The caller must belong to `orgId`. */
export function assertInOrg(principal: Principal, orgId: string): void {
  if (principal.orgId !== orgId) {
    throw forbidden(`This credential cannot act in organization ${orgId}`, 'other_org');
  }
}

/** The caller must belong to `orgId` and not be bound to a single team (org-wide actions: teams, admin tokens, policy). */
export function assertOrgWide(principal: Principal, orgId: string): void {
  assertInOrg(principal, orgId);
  if (principal.teamId !== null) {
    throw forbidden('A team-bound credential cannot act on the whole organization', 'team_bound');
  }
}

/** The caller must belong to `orgId` and, when bound to a team, to the team with row id `teamId`. */
export function assertForTeam(principal: Principal, orgId: string, teamId: string): void {
  assertInOrg(principal, orgId);
  if (principal.teamId !== null && principal.teamId !== teamId) {
    throw forbidden('This credential cannot act on another team', 'other_team');
  }
}
