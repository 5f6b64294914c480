import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { TimeProvider } from '@cdktf/provider-time/lib/provider';
import { TerraformStack } from 'cdktf';
import type { Construct } from 'constructs';
import type { EnvironmentSettings } from './environments.js';

/** One environment: its providers and (as later work lands) the gatehouse platform. */
export class GatehouseStack extends TerraformStack {
  constructor(scope: Construct, settings: EnvironmentSettings) {
    super(scope, settings.name);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    new AzureadProvider(this, 'azuread', {});
    new RandomProvider(this, 'random', {});
    new TimeProvider(this, 'time', {});
  }
}
