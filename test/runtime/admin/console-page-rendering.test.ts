import { describe, expect, it } from 'vitest';
import { defaultCatalog, extendCatalog } from '../../../catalog/index.js';
import { renderConsolePage, renderForbiddenPage } from '../../../runtime/src/admin/assets/console-page.js';
import { sectionsFor } from '../../../runtime/src/admin/console-sections.js';
import { makePrincipal } from '../../../runtime/src/auth/principal.js';

const principal = (role: string, email: string | null = 'someone@example.test', name: string | null = null) =>
  makePrincipal(defaultCatalog, {
    kind: 'session',
    subject: 'usr_1',
    role,
    scopes: [],
    orgId: 'default',
    email,
    name,
    credentialId: 'jti_1',
  });

describe('admin console rendering', () => {
  it('escapes the account shown on the 403 page', () => {
    const html = renderForbiddenPage(principal('viewer', '"><img src=x onerror=alert(1)>@evil.test'));
    expect(html).not.toContain('<img');
    expect(html).toContain('<strong>&quot;&gt;&lt;img src=x onerror=alert(1)&gt;@evil.test</strong>');
  });

  it('names the subject on the 403 page when the session has no e-mail or name', () => {
    expect(renderForbiddenPage(principal('viewer', null))).toContain('<strong>usr_1</strong>');
  });

  it('lists the roles of an extended catalog for the role picker', () => {
    const catalog = extendCatalog(defaultCatalog, {
      roles: [{ value: 'auditor', description: 'Reads the audit trail', permissions: ['audit:read'] }],
    });
    expect(renderConsolePage(catalog)).toContain('data-roles="admin analyst viewer operator api_service auditor"');
  });

  it('gives each role exactly the sections its permissions open', () => {
    const ids = (role: string) => sectionsFor(principal(role)).map((s) => s.id);
    expect(ids('admin')).toEqual(['users', 'api-keys', 'clients', 'teams', 'admin-tokens', 'signing-keys', 'audit']);
    expect(ids('viewer')).toEqual([]);
    // operator holds management permissions (team:*) but none the console uses: no console.
    expect(ids('operator')).toEqual([]);
  });
});
