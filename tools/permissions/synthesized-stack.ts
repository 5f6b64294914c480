/**
 * The parts of a synthesized CDKTF stack (`cdk.tf.json`) the permission tools read, and helpers to follow
 * `${type.logical_id.attr}` references between its resources.
 */
export interface SynthesizedBlock {
  readonly '//'?: { readonly metadata?: { readonly path?: string } };
  readonly [attribute: string]: unknown;
}

export interface SynthesizedStack {
  readonly resource?: Readonly<Record<string, Readonly<Record<string, SynthesizedBlock>>>>;
  readonly data?: Readonly<Record<string, Readonly<Record<string, SynthesizedBlock>>>>;
}

/** A resource or data source found in the stack. `address` is Terraform's (`data.` prefixed for data sources). */
export interface StackEntry {
  readonly type: string;
  readonly logicalId: string;
  readonly address: string;
  readonly isData: boolean;
  /** Construct path, e.g. `dev/platform/api/Resource`; the logical id when metadata is missing. */
  readonly path: string;
  readonly block: SynthesizedBlock;
}

const REFERENCE = /^\$\{(data\.)?([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z0-9_]+)(?:\["([^"]+)"\])?\}$/;

export interface Reference {
  readonly address: string;
  readonly attribute: string;
  /** The map key of `app_role_ids["admin"]`-style references. */
  readonly key?: string;
}

/** Parses a whole-value Terraform reference such as `${azuread_service_principal.api_sp_C3A6B780.object_id}`. */
export function parseReference(value: unknown): Reference | undefined {
  if (typeof value !== 'string') return undefined;
  const match = REFERENCE.exec(value);
  if (!match) return undefined;
  const [, dataPrefix, type, logicalId, attribute, key] = match;
  return { address: `${dataPrefix ?? ''}${type}.${logicalId}`, attribute: attribute as string, key };
}

/** Indexes every resource and data source of a stack by address. */
export function indexStack(stack: SynthesizedStack): Map<string, StackEntry> {
  const entries = new Map<string, StackEntry>();
  const add = (isData: boolean, byType: SynthesizedStack['resource']) => {
    for (const [type, byId] of Object.entries(byType ?? {})) {
      for (const [logicalId, block] of Object.entries(byId)) {
        const address = `${isData ? 'data.' : ''}${type}.${logicalId}`;
        entries.set(address, {
          type,
          logicalId,
          address,
          isData,
          path: block['//']?.metadata?.path ?? logicalId,
          block,
        });
      }
    }
  };
  add(false, stack.resource);
  add(true, stack.data);
  return entries;
}

/** A construct path without the stack prefix and the conventional trailing `/Resource`. */
export function displayPath(path: string): string {
  const withoutStack = path.includes('/') ? path.slice(path.indexOf('/') + 1) : path;
  return withoutStack.replace(/\/Resource$/, '');
}
