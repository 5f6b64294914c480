import { describe, expect, it } from 'vitest';
import { defaultCatalog, expandRole } from '../../../catalog/index.js';
import { mapEntraRoles } from '../../../runtime/src/credentials/entra/entra-roles.js';

describe('mapEntraRoles', () => {
  it('maps a user app role to the catalog role and its permissions', () => {
    expect(mapEntraRoles(defaultCatalog, ['viewer'])).toEqual({
      role: 'viewer',
      permissions: expandRole(defaultCatalog, 'viewer'),
    });
  });

  it('maps application app roles (product scopes) to those scopes, without a role', () => {
    expect(mapEntraRoles(defaultCatalog, ['graph:read', 'incidents:read'])).toEqual({
      role: null,
      permissions: ['incidents:read', 'graph:read'],
    });
  });

  it('adds several roles up and reports the first in catalog order', () => {
    const grant = mapEntraRoles(defaultCatalog, ['operator', 'analyst']);
    expect(grant.role).toBe('analyst');
    expect(grant.permissions).toEqual([
      'investigations:read',
      'investigations:write',
      'incidents:read',
      'search:read',
      'graph:read',
      'team:read',
      'team:write',
    ]);
  });

  it('ignores unknown values, management permissions and a claim that is not a list of strings', () => {
    expect(mapEntraRoles(defaultCatalog, ['root', 'users:manage', 42])).toEqual({ role: null, permissions: [] });
    expect(mapEntraRoles(defaultCatalog, 'admin')).toEqual({ role: null, permissions: [] });
    expect(mapEntraRoles(defaultCatalog, undefined)).toEqual({ role: null, permissions: [] });
  });
});
