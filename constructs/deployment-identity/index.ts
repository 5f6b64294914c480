export {
  type AzureRoleOptions,
  DeploymentIdentity,
  type DeploymentIdentityProps,
  GITHUB_ACTIONS_ISSUER,
  MICROSOFT_GRAPH_CLIENT_ID,
} from './deployment-identity.js';
export { BUILT_IN_ROLE_IDS, type BuiltInRoleName, constrainRoleAssignments } from './role-condition.js';
