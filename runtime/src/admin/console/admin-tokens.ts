import { seg } from './api.js';
import { byId } from './dom.js';
import { orgId } from './session.js';
import { loadTokens, type TokenList, wireTokenForm } from './tokens.js';

const adminTokens = (): TokenList => ({
  path: `/api/v1/orgs/${seg(orgId())}/admin-tokens`,
  rows: byId<HTMLTableSectionElement>('admin-token-rows'),
  secretBox: 'admin-token-secret',
  noun: 'org admin token',
});

/** Org admin tokens: generate (shown once), list, revoke. */
export const loadAdminTokens = (): Promise<void> => loadTokens(adminTokens());

export function wireAdminTokens(): void {
  wireTokenForm(byId<HTMLFormElement>('admin-token-create'), adminTokens);
}
