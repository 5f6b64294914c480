/**
 * `node --import tsx scripts/deploy/plan.ts <env>`: what `npm run deploy` needs to know about an environment, printed
 * as shell assignments (single-quoted) for `eval`: the image source, the image tag (a content hash of what the image
 * build reads), the resource group, the runtime's Container App and the database role job. Refuses an environment the stacks do not define, and
 * one whose settings fail the synthesis checks (placeholders, no deployer path), before anything is built or pushed.
 */
import { fileURLToPath } from 'node:url';
import { Testing } from 'cdktf';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';
import { DEFAULT_RUNTIME_REPOSITORY, GatehouseStack } from '../../stacks/gatehouse-stack.js';
import { hashBuildContext, RUNTIME_CONTEXT_PATHS } from './context-hash.js';

const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Length of the image tag taken from the content hash (hex digits; 128 bits). */
export const IMAGE_TAG_HEX_DIGITS = 32;

export function deployPlan(
  envName: string,
  envs: readonly EnvironmentSettings[] = environments,
  root: string = REPOSITORY_ROOT,
): Record<string, string> {
  const settings = envs.find((env) => env.name === envName);
  if (!settings) {
    throw new Error(`unknown environment ${JSON.stringify(envName)}; one of ${envs.map((e) => e.name).join(', ')}`);
  }
  if (settings.example === true) {
    throw new Error(
      `${settings.name} is a sample (example: true in stacks/environments.ts): replace its placeholders with your own values and remove example before deploying`,
    );
  }
  // The same checks synthesis makes, before a build: a placeholder or a missing deployer path stops here.
  new GatehouseStack(Testing.app(), settings);
  const { image } = settings.runtime;
  const plan: Record<string, string> = {
    ENV_NAME: settings.name,
    IMAGE_KIND: image.kind,
    RESOURCE_GROUP: settings.resourceGroupName,
    RUNTIME_NAME: settings.runtime.name,
    DB_ROLES_JOB: `${settings.runtime.name}-db-roles`,
  };
  if (image.kind === 'registry') {
    plan.LOGIN_SERVER = image.loginServer;
    plan.REGISTRY_NAME = image.loginServer.split('.')[0] as string;
    plan.REPOSITORY = image.repository ?? DEFAULT_RUNTIME_REPOSITORY;
    plan.TAG = hashBuildContext(root, RUNTIME_CONTEXT_PATHS).slice(0, IMAGE_TAG_HEX_DIGITS);
  }
  return plan;
}

/** `NAME='value'` lines, values single-quoted for the shell. */
export function shellAssignments(values: Record<string, string>): string {
  return Object.entries(values)
    .map(([name, value]) => `${name}='${value.replaceAll("'", "'\\''")}'`)
    .join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const envName = process.argv[2];
  if (!envName) {
    process.stderr.write('usage: node --import tsx scripts/deploy/plan.ts <env>\n');
    process.exit(2);
  }
  try {
    process.stdout.write(`${shellAssignments(deployPlan(envName))}\n`);
  } catch (error) {
    process.stderr.write(`error: ${(error as Error).message}\n`);
    process.exit(1);
  }
}
