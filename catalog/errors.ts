/** Stable codes so callers (constructs, runtime) can translate without parsing messages. */
export type CatalogErrorCode = 'unknown_scope' | 'unknown_role' | 'unknown_permission' | 'invalid_catalog';

/**
 * Raised for any catalog problem. `field` names what was wrong (a scope list, a role name, a catalog entry),
 * `allowed` says what would have been accepted, so messages are actionable without reading the source.
 */
export class CatalogError extends Error {
  readonly code: CatalogErrorCode;
  readonly field: string;
  readonly allowed: readonly string[];

  constructor(code: CatalogErrorCode, field: string, message: string, allowed: readonly string[] = []) {
    super(message);
    this.name = 'CatalogError';
    this.code = code;
    this.field = field;
    this.allowed = allowed;
  }
}
