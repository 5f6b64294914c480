import { randomUUID } from 'node:crypto';
import type { Catalog } from '../../../catalog/index.js';
import { makePrincipal, type Principal } from '../../../runtime/src/auth/principal.js';

/** A fresh API client's principal (a subject never counted before), with a budget of its own when given. */
export function clientPrincipal(catalog: Catalog, requestBudgetPerMinute?: number): Principal {
  return makePrincipal(catalog, {
    kind: 'client_credentials',
    subject: `cli_${randomUUID()}`,
    scopes: ['search:read'],
    orgId: 'default',
    credentialId: randomUUID(),
    requestBudgetPerMinute,
  });
}
