import type { Request } from 'express';
import { principalOf } from '../auth/middleware.js';
import { parseWith } from '../http/openapi.js';
import { OrgParamsSchema } from './org-schemas.js';
import { assertOrgWide } from './org-scope.js';

/**
 * The org `/orgs/{org}` names, for routes that act on the whole org (policy, teams, admin tokens): the params are
 * parsed first (400), then the caller must be in that org and not bound to a team (403).
 */
export function targetOrgWide(req: Request): string {
  const { org } = parseWith(OrgParamsSchema, req.params, 'params');
  assertOrgWide(principalOf(req), org);
  return org;
}
