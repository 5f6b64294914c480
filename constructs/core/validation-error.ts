import type { IConstruct } from 'constructs';

/**
 * The one error a gatehouse construct throws for bad props. The message names the construct path, the prop, what is
 * allowed and what was received, so it is actionable without reading the source. Never pass a secret as `received`.
 */
export class ValidationError extends Error {
  /** Construct path of the construct whose prop was wrong, e.g. `dev/KeyVault`. */
  readonly constructPath: string;
  /** The prop (or method argument) that was wrong, e.g. `name` or `addRedirectUris.uris[1]`. */
  readonly prop: string;

  constructor(scope: IConstruct, prop: string, allowed: string, received: unknown, options?: { cause?: unknown }) {
    super(`${scope.node.path}: ${prop} must be ${allowed}; got ${describe(received)}`, options);
    this.name = 'ValidationError';
    this.constructPath = scope.node.path;
    this.prop = prop;
  }
}

function describe(received: unknown): string {
  if (received === undefined) return 'undefined';
  return JSON.stringify(received) ?? String(received);
}
