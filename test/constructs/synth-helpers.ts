import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider/index.js';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider/index.js';
import { RandomProvider } from '@cdktf/provider-random/lib/provider/index.js';
import { TimeProvider } from '@cdktf/provider-time/lib/provider/index.js';
import { type App, type IScopeCallback, TerraformStack, Testing } from 'cdktf';
import { expect } from 'vitest';
import type { AuthPlatformProps } from '../../constructs/auth-platform/index.js';

/** The required props of an `AuthPlatform`: a tenant, a vault the deployer reaches from one IP, an image by digest. */
export const PLATFORM_PROPS: AuthPlatformProps = {
  name: 'gatehouse-test',
  resourceGroupName: 'rg-test',
  location: 'westeurope',
  tenantId: '00000000-0000-0000-0000-00000000aaaa',
  keyVault: { name: 'kv-gatehouse-test', deployerAccess: { kind: 'ipRanges', ipRanges: ['198.51.100.7'] } },
  runtime: { image: { kind: 'prebuilt', reference: `ghcr.io/example/gatehouse-runtime@sha256:${'c'.repeat(64)}` } },
};

/** The synthesized Terraform JSON of what `build` adds to a fresh stack. */
export interface SynthJson {
  resource: Record<string, Record<string, Record<string, unknown>>>;
  data?: Record<string, Record<string, Record<string, unknown>>>;
  output?: Record<string, { value: unknown }>;
}

export function synthJson(build: IScopeCallback): SynthJson {
  return JSON.parse(Testing.synthScope(build)) as SynthJson;
}

/** The only resource of `type`; fails the test when there are none or several. */
export function single(json: SynthJson, type: string): Record<string, unknown> {
  const all = Object.values(json.resource[type] ?? {});
  if (all.length !== 1) throw new Error(`expected one ${type}, found ${all.length}`);
  return all[0];
}

/** Every resource of `type` (empty when none). */
export function allOf(json: SynthJson, type: string): Record<string, unknown>[] {
  return Object.values(json.resource[type] ?? {});
}

/**
 * A stack in a test app with the four providers gatehouse uses, for `Testing.synth(stack, true)`: cdktf's own
 * validations then pass, so only the checks under test can fail it.
 */
export function testStack(id = 'test'): TerraformStack {
  const stack = new TerraformStack(Testing.app() as App, id);
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AzureadProvider(stack, 'azuread', {});
  new RandomProvider(stack, 'random', {});
  new TimeProvider(stack, 'time', {});
  return stack;
}

/** Matches a Terraform reference `${<type>.<any id>.<attribute>}` (ids carry a hash, so tests match the shape). */
export function ref(type: string, attribute: string): unknown {
  return expect.stringMatching(new RegExp(`^\\$\\{${type.replace('.', '\\.')}\\.[\\w-]+\\.${attribute}\\}$`));
}

/** Matches a `depends_on` entry `<type>.<any id>`. */
export function dep(type: string): unknown {
  return expect.stringMatching(new RegExp(`^${type}\\.[\\w-]+$`));
}
