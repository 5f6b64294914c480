import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestHandler } from 'express';
import { forbidden } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { budgetHeaders } from '../rate-limit/credential-budget.js';
import { type Authenticator, authOf } from './authenticator.js';
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

/** Express middleware: authenticates the request (sets `req.principal`) or answers 401/429. */
export function requireAuth(ctx: AppContext): RequestHandler {
  const auth = authOf(ctx);
  return async (req, res, next) => {
    await authenticated(auth, req, res);
    next();
  };
}

/** Express middleware: authenticates, then requires every listed catalog permission (403 naming the missing one). */
export function requirePermission(ctx: AppContext, ...permissions: string[]): RequestHandler {
  const auth = authOf(ctx);
  return async (req, res, next) => {
    assertPermissions(await authenticated(auth, req, res), permissions);
    next();
  };
}

/** Like `requirePermission`, for product scopes: the 403 names the missing scope. */
export function requireScope(ctx: AppContext, ...scopes: string[]): RequestHandler {
  const auth = authOf(ctx);
  return async (req, res, next) => {
    assertPermissions(await authenticated(auth, req, res), scopes, 'scope');
    next();
  };
}

/** The authenticated principal of a request that passed `requireAuth`/`requirePermission`. */
export function principalOf(req: { principal?: Principal }): Principal {
  if (!req.principal) throw new Error('principalOf called on a route without requireAuth/requirePermission');
  return req.principal;
}
