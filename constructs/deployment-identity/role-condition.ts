/**
 * Ids of the Azure built-in roles gatehouse assigns or lets its deployer assign. Built-in role ids are the same in
 * every tenant and cloud.
 */
export const BUILT_IN_ROLE_IDS = {
  AcrPull: '7f951dda-4ed3-4680-a7ca-43fe172d538d',
  AcrPush: '8311e382-0749-4cb8-b61a-304f252e45ec',
  Contributor: 'b24988ac-6180-42a0-ab88-20f7382dd24c',
  'Key Vault Secrets Officer': 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7',
  'Key Vault Secrets User': '4633458b-17de-408a-b874-0445c86b69e6',
  'Log Analytics Contributor': '92aaf0da-9dab-42b6-94a3-d43ce8d16293',
  'Network Contributor': '4d97b98b-1d4f-4787-a291-c67834d212e7',
  Reader: 'acdd72a7-3385-48ef-bd42-f606fba81ae7',
  'Role Based Access Control Administrator': 'f58310d9-a9f6-439a-9e8d-f62e7b41a168',
  'Storage Blob Data Contributor': 'ba92f5b4-2d11-453d-a403-e96b0029c9fe',
} as const;

export type BuiltInRoleName = keyof typeof BUILT_IN_ROLE_IDS;

/**
 * An ABAC condition (version 2.0) for a role-assignment writer such as Role Based Access Control Administrator: it may
 * create and delete assignments of the listed roles only, the shape of the portal's "Constrain roles" condition.
 */
export function constrainRoleAssignments(roles: readonly BuiltInRoleName[]): string {
  const ids = [...roles]
    .map((role) => BUILT_IN_ROLE_IDS[role])
    .sort()
    .join(', ');
  const clause = (action: 'write' | 'delete', source: 'Request' | 'Resource') =>
    `((!(ActionMatches{'Microsoft.Authorization/roleAssignments/${action}'})) OR ` +
    `(@${source}[Microsoft.Authorization/roleAssignments:RoleDefinitionId] ForAnyOfAnyValues:GuidEquals {${ids}}))`;
  return `${clause('write', 'Request')} AND ${clause('delete', 'Resource')}`;
}
