export { AuthRuntime, CONSUMPTION_WORKLOAD_PROFILE, RUNTIME_PORT, RUNTIME_SECRET_NAMES } from './auth-runtime.js';
export type {
  AuthRuntimeProps,
  RuntimeImageOptions,
  RuntimeOidcClientAuthentication,
  RuntimeOidcOptions,
  RuntimePrebuiltImageOptions,
} from './auth-runtime-props.js';
export { checkImageReference } from './image-reference.js';
export { PASSWORD_MODE_ADMIN_LOGIN, RuntimeDatabase, type RuntimeDatabaseOptions } from './runtime-database.js';
export {
  DATABASE_ROLES_SCRIPT,
  DEFAULT_DATABASE_ROLES_IMAGE,
  RuntimeDatabaseRoles,
  type RuntimeDatabaseRolesProps,
} from './runtime-database-roles.js';
export { RuntimeRedis, type RuntimeRedisOptions } from './runtime-redis.js';
export { CONTAINER_APP_SIZES, MAX_REPLICAS_LIMIT } from './runtime-sizing.js';
