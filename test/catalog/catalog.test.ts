import { describe, expect, it } from 'vitest';
import {
  CatalogError,
  catalogFromJson,
  catalogToJson,
  defaultCatalog,
  defineCatalog,
  expandRole,
  extendCatalog,
  roleHasPermission,
  scopesOfRole,
  validateScopes,
} from '../../catalog/index.js';

function catalogError(fn: () => unknown): CatalogError {
  try {
    fn();
  } catch (error) {
    if (error instanceof CatalogError) return error;
    throw error;
  }
  throw new Error('expected a CatalogError');
}

describe('default catalog', () => {
  it('declares the five product scopes and five roles in order', () => {
    expect(defaultCatalog.scopeValues).toEqual([
      'investigations:read',
      'investigations:write',
      'incidents:read',
      'search:read',
      'graph:read',
    ]);
    expect(defaultCatalog.roleValues).toEqual(['admin', 'analyst', 'viewer', 'operator', 'api_service']);
    expect(defaultCatalog.defaultRole).toBe('analyst');
  });

  it('gives every management permission to admin and to no other role', () => {
    const management = [
      'users:manage',
      'api_keys:manage',
      'clients:manage',
      'tokens:manage',
      'audit:read',
      'keys:rotate',
    ];
    for (const permission of management) {
      expect(roleHasPermission(defaultCatalog, 'admin', permission)).toBe(true);
      for (const role of ['analyst', 'viewer', 'operator', 'api_service']) {
        expect(roleHasPermission(defaultCatalog, role, permission), `${role} ${permission}`).toBe(false);
      }
    }
  });

  it('has a one-line description for every scope, permission and role', () => {
    for (const entry of [...defaultCatalog.scopes, ...defaultCatalog.managementPermissions, ...defaultCatalog.roles]) {
      expect(entry.description.length).toBeGreaterThan(5);
      expect(entry.description).not.toContain('\n');
    }
  });
});

describe('roleHasPermission', () => {
  it('answers per role and permission', () => {
    expect(roleHasPermission(defaultCatalog, 'viewer', 'investigations:read')).toBe(true);
    expect(roleHasPermission(defaultCatalog, 'viewer', 'investigations:write')).toBe(false);
    expect(roleHasPermission(defaultCatalog, 'operator', 'team:write')).toBe(true);
  });

  it('holds nothing for an unknown role', () => {
    expect(roleHasPermission(defaultCatalog, 'root', 'investigations:read')).toBe(false);
  });
});

describe('expandRole', () => {
  it('lists the role permissions in catalog order', () => {
    expect(expandRole(defaultCatalog, 'viewer')).toEqual([
      'investigations:read',
      'incidents:read',
      'search:read',
      'graph:read',
    ]);
    expect(expandRole(defaultCatalog, 'admin')).toEqual(defaultCatalog.permissionValues);
  });

  it('throws unknown_role naming the role and the allowed ones', () => {
    const error = catalogError(() => expandRole(defaultCatalog, 'superuser'));
    expect(error.code).toBe('unknown_role');
    expect(error.field).toBe('role');
    expect(error.message).toBe(
      'role: unknown role "superuser"; allowed: admin, analyst, viewer, operator, api_service',
    );
  });

  it('separates product scopes from management permissions', () => {
    expect(scopesOfRole(defaultCatalog, 'operator')).toEqual([
      'investigations:read',
      'investigations:write',
      'incidents:read',
      'search:read',
    ]);
  });
});

describe('validateScopes', () => {
  it('returns the scopes de-duplicated in catalog order', () => {
    expect(validateScopes(defaultCatalog, ['graph:read', 'incidents:read', 'graph:read'])).toEqual([
      'incidents:read',
      'graph:read',
    ]);
  });

  it('accepts a space or comma separated string', () => {
    expect(validateScopes(defaultCatalog, 'search:read investigations:read,graph:read')).toEqual([
      'investigations:read',
      'search:read',
      'graph:read',
    ]);
  });

  it('throws unknown_scope naming the unknown scope and the field', () => {
    const error = catalogError(() =>
      validateScopes(defaultCatalog, ['incidents:read', 'incidents:delete'], { field: 'body.scopes' }),
    );
    expect(error.code).toBe('unknown_scope');
    expect(error.field).toBe('body.scopes');
    expect(error.message).toBe(
      'body.scopes: unknown scope "incidents:delete"; allowed: investigations:read, investigations:write, incidents:read, search:read, graph:read',
    );
    expect(error.allowed).toEqual(defaultCatalog.scopeValues);
  });

  it('rejects management permissions unless asked to allow them', () => {
    expect(catalogError(() => validateScopes(defaultCatalog, ['users:manage'])).code).toBe('unknown_scope');
    expect(validateScopes(defaultCatalog, ['users:manage'], { allowManagementPermissions: true })).toEqual([
      'users:manage',
    ]);
  });
});

describe('defineCatalog', () => {
  const base = {
    scopes: [{ value: 'a:read', description: 'Read a' }],
    managementPermissions: [],
    roles: [{ value: 'reader', description: 'Reads', permissions: ['a:read'] }],
    defaultRole: 'reader',
  };

  it('fails when a scope value is malformed', () => {
    const error = catalogError(() => defineCatalog({ ...base, scopes: [{ value: 'Read A', description: 'x' }] }));
    expect(error.code).toBe('invalid_catalog');
    expect(error.message).toContain('scopes[0]: value must look like "resource:action"');
  });

  it('fails on a duplicate scope', () => {
    const error = catalogError(() => defineCatalog({ ...base, scopes: [...base.scopes, ...base.scopes] }));
    expect(error.message).toBe('scopes[1]: duplicate permission value "a:read"');
  });

  it('fails on a duplicate role', () => {
    const error = catalogError(() => defineCatalog({ ...base, roles: [...base.roles, ...base.roles] }));
    expect(error.message).toBe('roles[1]: duplicate role value "reader"');
  });

  it('fails when a role references an unknown permission', () => {
    const error = catalogError(() =>
      defineCatalog({ ...base, roles: [{ value: 'reader', description: 'Reads', permissions: ['b:read'] }] }),
    );
    expect(error.code).toBe('unknown_permission');
    expect(error.message).toBe('roles[0] (reader): unknown permission "b:read"; allowed: a:read');
  });

  it('fails when the default role is unknown', () => {
    const error = catalogError(() => defineCatalog({ ...base, defaultRole: 'writer' }));
    expect(error.code).toBe('unknown_role');
    expect(error.field).toBe('defaultRole');
  });

  it('fails on an empty or multi-line description', () => {
    expect(
      catalogError(() => defineCatalog({ ...base, scopes: [{ value: 'a:read', description: '' }] })).message,
    ).toContain('description must be 1-200 characters');
    expect(
      catalogError(() => defineCatalog({ ...base, scopes: [{ value: 'a:read', description: 'one\ntwo' }] })).message,
    ).toContain('description must be one line');
  });

  it('returns an immutable catalog', () => {
    const catalog = defineCatalog(base);
    expect(Object.isFrozen(catalog.definition.roles[0]?.permissions)).toBe(true);
  });
});

describe('extendCatalog', () => {
  it('adds scopes and roles and grants without touching the base', () => {
    const extended = extendCatalog(defaultCatalog, {
      scopes: [{ value: 'tickets:read', description: 'Read tickets' }],
      roles: [{ value: 'ticket_bot', description: 'Reads tickets', permissions: ['tickets:read'] }],
      grants: { analyst: ['tickets:read'] },
    });
    expect(extended.scopeValues).toContain('tickets:read');
    expect(roleHasPermission(extended, 'analyst', 'tickets:read')).toBe(true);
    expect(roleHasPermission(extended, 'ticket_bot', 'tickets:read')).toBe(true);
    expect(roleHasPermission(extended, 'admin', 'tickets:read')).toBe(false);
    expect(defaultCatalog.scopeValues).not.toContain('tickets:read');
    expect(validateScopes(extended, ['tickets:read'])).toEqual(['tickets:read']);
  });

  it('fails when granting to an unknown role', () => {
    const error = catalogError(() => extendCatalog(defaultCatalog, { grants: { auditor: ['graph:read'] } }));
    expect(error.code).toBe('unknown_role');
    expect(error.field).toBe('grants.auditor');
  });

  it('fails when a granted permission is unknown', () => {
    const error = catalogError(() => extendCatalog(defaultCatalog, { grants: { viewer: ['tickets:read'] } }));
    expect(error.code).toBe('unknown_permission');
  });
});

describe('catalog JSON', () => {
  it('round-trips', () => {
    const parsed = catalogFromJson(catalogToJson(defaultCatalog));
    expect(parsed.definition).toEqual(defaultCatalog.definition);
  });

  it('rejects malformed JSON without echoing it', () => {
    const error = catalogError(() => catalogFromJson('{not json'));
    expect(error.message).toBe('CATALOG_JSON: not valid JSON');
  });

  it('rejects a document of the wrong shape', () => {
    expect(catalogError(() => catalogFromJson('{"scopes":[]}')).message).toContain('expected {scopes[]');
  });
});
