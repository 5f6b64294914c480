export {
  EntraApiApplication,
  type EntraApiApplicationProps,
  type RoleAssignmentOptions,
} from './entra-api-application.js';
