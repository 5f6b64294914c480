/**
 * The environments gatehouse deploys, as data. A stack is built from each entry; nothing branches on the name.
 */
export interface EnvironmentSettings {
  /** Short name, used in resource names and as the stack name (`cdktf deploy <name>`). */
  readonly name: string;
  /** Azure region, e.g. `westeurope`. */
  readonly location: string;
  /** Tags applied to every Azure resource of the environment. */
  readonly tags: Readonly<Record<string, string>>;
}

export const environments: readonly EnvironmentSettings[] = [
  { name: 'dev', location: 'westeurope', tags: { environment: 'dev', product: 'gatehouse' } },
  { name: 'staging', location: 'westeurope', tags: { environment: 'staging', product: 'gatehouse' } },
  { name: 'prod', location: 'westeurope', tags: { environment: 'prod', product: 'gatehouse' } },
];
