export {
  assertRole,
  type Catalog,
  type CatalogDefinition,
  type CatalogExtension,
  catalogFromJson,
  catalogToJson,
  defineCatalog,
  expandRole,
  extendCatalog,
  isRole,
  isScope,
  type PermissionDefinition,
  type RoleDefinition,
  roleHasPermission,
  scopesOfRole,
  type ValidateScopesOptions,
  validateScopes,
} from './catalog.js';
export { defaultCatalog } from './default-catalog.js';
export { CatalogError, type CatalogErrorCode } from './errors.js';
