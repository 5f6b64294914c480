import type { IncomingMessage, ServerResponse } from 'node:http';
import { forbidden } from '../errors.js';
import { budgetHeaders } from '../rate-limit/credential-budget.js';
import type { Authenticator } from './authenticator.js';
import { firstMissing, type Principal } from './principal.js';

/** Throws 403 `forbidden` naming the first permission the principal lacks. */
export function assertPermissions(principal: Principal, required: readonly string[], noun = 'permission'): void {
  const missing = firstMissing(principal, required);
  if (missing !== undefined) {
    throw forbidden(`The credential lacks the ${noun} "${missing}"`, 'missing_permission');
  }
}

/** Authenticates, and tells the caller its request budget (`RateLimit-Policy`, `RateLimit`) on every answer. */
export async function authenticated(
  auth: Authenticator,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<Principal> {
  const principal = await auth.authenticate(req);
  if (!req.requestBudget) return principal;
  const [policyName, policy, limitName, limit] = budgetHeaders(req.requestBudget);
  res.setHeader(policyName, policy);
  res.setHeader(limitName, limit);
  return principal;
}

/** The principal of a request the route layer authenticated. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new Error('principalOf called on a request nothing authenticated');
  return req.principal;
}
