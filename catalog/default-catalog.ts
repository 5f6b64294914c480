import { type Catalog, defineCatalog } from './catalog.js';

const DATA_SCOPES = [
  'investigations:read',
  'investigations:write',
  'incidents:read',
  'search:read',
  'graph:read',
] as const;

const MANAGEMENT_PERMISSIONS = [
  'users:manage',
  'api_keys:manage',
  'clients:manage',
  'tokens:manage',
  'audit:read',
  'keys:rotate',
  'team:read',
  'team:write',
] as const;

/**
 * The default catalog: the five product scopes, gatehouse's management permissions and five roles.
 * Only `admin` manages users, keys, clients and tokens. First sign-in gets `analyst`.
 */
export const defaultCatalog: Catalog = defineCatalog({
  scopes: [
    { value: 'investigations:read', description: 'Read investigation sessions and results' },
    { value: 'investigations:write', description: 'Start investigations and send follow-ups' },
    { value: 'incidents:read', description: 'List and view incidents' },
    { value: 'search:read', description: 'Search investigations and entities' },
    { value: 'graph:read', description: 'Query the knowledge graph' },
  ],
  managementPermissions: [
    { value: 'users:manage', description: 'List users and change their roles' },
    { value: 'api_keys:manage', description: 'Create, list, rotate and revoke API keys' },
    { value: 'clients:manage', description: 'Create API clients and rotate their secrets' },
    { value: 'tokens:manage', description: 'Issue and revoke team and org admin tokens' },
    { value: 'audit:read', description: 'Read and export audit events' },
    { value: 'keys:rotate', description: 'Rotate the token signing keys' },
    { value: 'team:read', description: 'Read team configuration' },
    { value: 'team:write', description: 'Update team configuration' },
  ],
  roles: [
    {
      value: 'admin',
      description: 'Everything: all product scopes plus user, key, client, token and audit management',
      permissions: [...DATA_SCOPES, ...MANAGEMENT_PERMISSIONS],
    },
    {
      value: 'analyst',
      description: 'View and create investigations, search, view incidents and the knowledge graph',
      permissions: [...DATA_SCOPES],
    },
    {
      value: 'viewer',
      description: 'Read-only access to investigations, incidents, search and the knowledge graph',
      permissions: ['investigations:read', 'incidents:read', 'search:read', 'graph:read'],
    },
    {
      value: 'operator',
      description: 'Run investigations and maintain team configuration',
      permissions: [
        'investigations:read',
        'investigations:write',
        'incidents:read',
        'search:read',
        'team:read',
        'team:write',
      ],
    },
    {
      value: 'api_service',
      description: 'Service integrations: product scopes only, never management',
      permissions: [...DATA_SCOPES],
    },
  ],
  defaultRole: 'analyst',
});
