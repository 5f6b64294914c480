import { App } from 'cdktf';
import { checkEnvironments, type EnvironmentSettings, environments } from './environments.js';
import { GatehouseStack } from './gatehouse-stack.js';

/** Builds the cdktf app: one stack per environment. Separate from `main.ts` so tests can build it in memory. */
export function buildApp(envs: readonly EnvironmentSettings[] = environments, outdir?: string): App {
  checkEnvironments(envs);
  const app = new App(outdir ? { outdir } : {});
  for (const settings of envs) new GatehouseStack(app, settings);
  return app;
}
