import { App } from 'cdktf';
import { type BootstrapSettings, bootstrap } from './bootstrap-settings.js';
import { BootstrapStack } from './bootstrap-stack.js';
import { checkEnvironments, type EnvironmentSettings, environments } from './environments.js';
import { GatehouseStack } from './gatehouse-stack.js';

/**
 * Builds the cdktf app: the `bootstrap` stack (state storage, resource groups, deployer and planner) and one stack per
 * environment. Separate from `main.ts` so tests can build it in memory.
 */
export function buildApp(
  envs: readonly EnvironmentSettings[] = environments,
  outdir?: string,
  bootstrapSettings: BootstrapSettings = bootstrap,
): App {
  checkEnvironments(envs);
  const app = new App(outdir ? { outdir } : {});
  new BootstrapStack(app, bootstrapSettings, envs);
  for (const settings of envs) new GatehouseStack(app, settings);
  return app;
}
