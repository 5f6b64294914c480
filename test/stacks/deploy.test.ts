import { execFile } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { hashBuildContext, RUNTIME_CONTEXT_PATHS } from '../../scripts/deploy/context-hash.js';
import { deployPlan, shellAssignments } from '../../scripts/deploy/plan.js';
import { bootstrap, stateBackend } from '../../stacks/bootstrap-settings.js';
import { type EnvironmentSettings, environments } from '../../stacks/environments.js';

const run = promisify(execFile);
const temporary: string[] = [];
afterAll(() => {
  for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
});
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  temporary.push(dir);
  return dir;
};

/** A throwaway repository with the files the image build reads. */
function buildContext(): string {
  const dir = tempDir('gatehouse-context-');
  for (const file of ['package.json', 'package-lock.json', 'tsconfig.json', 'runtime/package.json']) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), '{}');
  }
  for (const file of ['runtime/tsconfig.json', 'runtime/bundle.ts', 'runtime/Dockerfile'])
    writeFileSync(join(dir, file), 'x');
  for (const folder of ['catalog', 'runtime/src', 'runtime/bin']) {
    mkdirSync(join(dir, folder), { recursive: true });
    writeFileSync(join(dir, folder, 'index.ts'), 'export {};');
  }
  mkdirSync(join(dir, 'runtime/src/node_modules'), { recursive: true });
  writeFileSync(join(dir, 'runtime/src/node_modules/ignored.js'), 'ignored');
  return dir;
}

const REAL_SUBSCRIPTION = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
/** The dev sample with its placeholders replaced, as a user would deploy it. */
const realDev: EnvironmentSettings = {
  ...(environments.find((env) => env.name === 'dev') as EnvironmentSettings),
  example: false,
  tenantId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301',
  subscriptionId: REAL_SUBSCRIPTION,
  backend: stateBackend('gatehouse/dev.tfstate', { ...bootstrap, subscriptionId: REAL_SUBSCRIPTION }),
  keyVaultNetwork: {
    deployerAccess: { kind: 'ipRanges', ipRanges: ['20.50.60.0/28'] },
    allowedIpRanges: [],
    allowedSubnetIds: [],
  },
};
const realDevWithRegistry: EnvironmentSettings = {
  ...realDev,
  runtime: {
    ...realDev.runtime,
    image: {
      kind: 'registry',
      registryId: `/subscriptions/${REAL_SUBSCRIPTION}/resourceGroups/rg-images/providers/Microsoft.ContainerRegistry/registries/crgatehousedev`,
      loginServer: 'crgatehousedev.azurecr.io',
    },
  },
};

describe('npm run deploy: the plan', () => {
  it('tags the image with a hash of what the build reads: same sources, same tag; a runtime change, a new tag', () => {
    const context = buildContext();
    const tag = () => deployPlan('dev', [realDevWithRegistry], context).TAG;
    const first = tag();
    expect(first).toMatch(/^[0-9a-f]{32}$/);
    expect(first).toBe(hashBuildContext(context, RUNTIME_CONTEXT_PATHS).slice(0, 32));
    writeFileSync(join(context, 'runtime/src/node_modules/ignored.js'), 'still ignored');
    writeFileSync(join(context, 'README.md'), 'not read by the build');
    expect(tag()).toBe(first);
    writeFileSync(join(context, 'runtime/src/index.ts'), 'export const changed = true;');
    expect(tag()).not.toBe(first);
  });

  it('names the registry, repository, resource group and database role job of the environment', () => {
    const plan = deployPlan('dev', [realDevWithRegistry], buildContext());
    expect(plan).toEqual({
      ENV_NAME: 'dev',
      IMAGE_KIND: 'registry',
      RESOURCE_GROUP: 'rg-gatehouse-dev',
      RUNTIME_NAME: 'gatehouse-dev',
      DB_ROLES_JOB: 'gatehouse-dev-db-roles',
      LOGIN_SERVER: 'crgatehousedev.azurecr.io',
      REGISTRY_NAME: 'crgatehousedev',
      REPOSITORY: 'gatehouse-runtime',
      TAG: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(shellAssignments({ A: "it's", B: 'x y' })).toBe("A='it'\\''s'\nB='x y'");
  });

  it('refuses a sample environment, an unknown one, and one whose settings fail synthesis, before any build', () => {
    expect(() => deployPlan('dev')).toThrow(
      'dev is a sample (example: true in stacks/environments.ts): replace its placeholders with your own values and remove example before deploying',
    );
    expect(() => deployPlan('qa', [realDevWithRegistry])).toThrow('unknown environment "qa"; one of dev');
    expect(() => deployPlan('dev', [realDev])).toThrow(
      /^dev: runtime\.image\.registryId must be a resource id in your own subscription/,
    );
  });
});

/** Stand-ins for the tools deploy.sh calls; each appends its command line to the log and answers like the real one. */
const REGISTRY_PLAN = [
  "ENV_NAME='dev'",
  "IMAGE_KIND='registry'",
  "RESOURCE_GROUP='rg-gatehouse-dev'",
  "RUNTIME_NAME='gatehouse-dev'",
  "DB_ROLES_JOB='gatehouse-dev-db-roles'",
  "LOGIN_SERVER='crgatehousedev.azurecr.io'",
  "REGISTRY_NAME='crgatehousedev'",
  "REPOSITORY='gatehouse-runtime'",
  "TAG='0123456789abcdef0123456789abcdef'",
];
const PREBUILT_PLAN = REGISTRY_PLAN.slice(0, 5).map((line) => line.replace("'registry'", "'prebuilt'"));

function stubTools(
  log: string,
  existingDigest: string,
  plan: readonly string[],
  { loginFails = false, jobStatus = 'Succeeded' } = {},
): string {
  const bin = tempDir('gatehouse-deploy-bin-');
  const stub = (name: string, body: string) => {
    writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
    chmodSync(join(bin, name), 0o755);
  };
  stub('node', `printf '%s\\n' ${plan.map((line) => `"${line}"`).join(' ')}`);
  stub(
    'az',
    `case "$1 $2" in
  "acr login") ${loginFails ? 'echo "ERROR: token expired" >&2; exit 1' : 'echo "entra-token"'} ;;
  "containerapp job") if [ "$3" = start ]; then echo "gatehouse-dev-db-roles-x1"; else echo "${jobStatus}"; fi ;;
esac`,
  );
  stub('skopeo', existingDigest ? `echo "${existingDigest}"` : 'exit 1');
  stub('npm', 'exit 0');
  stub(
    'buildah',
    `for a; do case "$prev" in --digestfile) echo "sha256:${'b'.repeat(64)}" > "$a" ;; esac; prev="$a"; done`,
  );
  stub('npx', `echo "TF_VAR_runtime_image_digest=$TF_VAR_runtime_image_digest" >> "${log}"`);
  return bin;
}

describe('npm run deploy: the order', () => {
  const calls = (log: string) => readFileSync(log, 'utf8').trim().split('\n');
  const deploy = async (
    existingDigest = '',
    plan: readonly string[] = REGISTRY_PLAN,
    options: Parameters<typeof stubTools>[3] = {},
  ) => {
    const log = join(tempDir('gatehouse-deploy-log-'), 'calls');
    writeFileSync(log, '');
    const bin = stubTools(log, existingDigest, plan, options);
    await run('/bin/bash', ['scripts/deploy/deploy.sh', 'dev', '--auto-approve'], {
      env: { PATH: `${bin}:/usr/bin:/bin`, DEPLOY_POLL_SECONDS: '0' },
    }).catch((error: Error) => {
      throw Object.assign(error, { calls: calls(log) });
    });
    return calls(log);
  };
  const image = 'crgatehousedev.azurecr.io/gatehouse-runtime:0123456789abcdef0123456789abcdef';
  const creds = '00000000-0000-0000-0000-000000000000:entra-token';

  it('builds, pushes, deploys with the pushed digest, then creates the database role', async () => {
    expect(await deploy()).toEqual([
      'node --import tsx scripts/deploy/plan.ts dev',
      'az acr login --name crgatehousedev --expose-token --output tsv --query accessToken',
      `skopeo inspect --creds ${creds} --format {{.Digest}} docker://${image}`,
      `npm run --silent image -- ${image}`,
      expect.stringMatching(new RegExp(`^buildah push --creds ${creds} --digestfile \\S+ ${image} docker://${image}$`)),
      'npx --no-install cdktf deploy dev --auto-approve',
      `TF_VAR_runtime_image_digest=sha256:${'b'.repeat(64)}`,
      'az containerapp job start --name gatehouse-dev-db-roles --resource-group rg-gatehouse-dev --query name --output tsv',
      'az containerapp job execution show --name gatehouse-dev-db-roles --resource-group rg-gatehouse-dev --job-execution-name gatehouse-dev-db-roles-x1 --query properties.status --output tsv',
    ]);
  });

  it('deploys a prebuilt image as pinned, without signing in to a registry, building or pushing', async () => {
    expect(await deploy('', PREBUILT_PLAN)).toEqual([
      'node --import tsx scripts/deploy/plan.ts dev',
      'npx --no-install cdktf deploy dev --auto-approve',
      'TF_VAR_runtime_image_digest=',
      'az containerapp job start --name gatehouse-dev-db-roles --resource-group rg-gatehouse-dev --query name --output tsv',
      'az containerapp job execution show --name gatehouse-dev-db-roles --resource-group rg-gatehouse-dev --job-execution-name gatehouse-dev-db-roles-x1 --query properties.status --output tsv',
    ]);
  });

  it('refuses to run without a terminal unless told to approve the plan itself', async () => {
    const failure = await run('/bin/bash', ['scripts/deploy/deploy.sh', 'dev'], {
      env: { PATH: '/usr/bin:/bin' },
    }).catch((error) => error);
    expect(failure.code).toBe(2);
    expect(failure.stderr).toBe(
      'error: no terminal to approve the plan on: pass --auto-approve (npm run deploy -- dev --auto-approve)\n',
    );
  });

  it('stops before Terraform when the registry credential cannot be had: nothing rolls out', async () => {
    const failure = await deploy('', REGISTRY_PLAN, { loginFails: true }).catch((error) => error);
    expect(failure.stderr).toContain('ERROR: token expired');
    expect(failure.calls).toEqual([
      'node --import tsx scripts/deploy/plan.ts dev',
      'az acr login --name crgatehousedev --expose-token --output tsv --query accessToken',
    ]);
  });

  it('fails when the database role job fails, naming the execution', async () => {
    const failure = await deploy(`sha256:${'c'.repeat(64)}`, REGISTRY_PLAN, { jobStatus: 'Failed' }).catch(
      (error) => error,
    );
    expect(failure.stderr).toContain(
      'error: gatehouse-dev-db-roles execution gatehouse-dev-db-roles-x1 ended Failed; see its logs (az containerapp job logs show)',
    );
  });

  it('neither builds nor pushes when the registry has the tag already, and deploys its digest', async () => {
    const calls = await deploy(`sha256:${'c'.repeat(64)}`);
    expect(calls.filter((call) => call.startsWith('npm ') || call.startsWith('buildah '))).toEqual([]);
    expect(calls).toContain(`TF_VAR_runtime_image_digest=sha256:${'c'.repeat(64)}`);
  });
});

describe('npm run plan: the digest it plans with', () => {
  const running = `sha256:${'d'.repeat(64)}`;
  const tagged = `sha256:${'e'.repeat(64)}`;
  /** Stand-ins for node (the plan), az (the running app, the registry) and npx (cdktf plan). */
  async function plan(answers: { runningImage?: string; tagDigest?: string }) {
    const log = join(tempDir('gatehouse-plan-log-'), 'calls');
    writeFileSync(log, '');
    const bin = tempDir('gatehouse-plan-bin-');
    const stub = (name: string, body: string) => {
      writeFileSync(join(bin, name), `#!/bin/sh\necho "${name} $*" >> "${log}"\n${body}\n`);
      chmodSync(join(bin, name), 0o755);
    };
    stub('node', `printf '%s\\n' ${REGISTRY_PLAN.map((line) => `"${line}"`).join(' ')}`);
    stub(
      'az',
      `case "$1 $2" in
  "containerapp show") ${answers.runningImage ? `echo "${answers.runningImage}"` : 'echo "ResourceNotFound" >&2; exit 3'} ;;
  "acr repository") ${answers.tagDigest ? `echo "${answers.tagDigest}"` : 'echo "manifest unknown" >&2; exit 1'} ;;
esac`,
    );
    stub('npx', `echo "TF_VAR_runtime_image_digest=$TF_VAR_runtime_image_digest" >> "${log}"`);
    const result = await run('/bin/bash', ['scripts/deploy/plan.sh', 'dev'], { env: { PATH: `${bin}:/usr/bin:/bin` } })
      .then(({ stderr }) => ({ code: 0, stderr }))
      .catch((error: { code: number; stderr: string }) => ({ code: error.code, stderr: error.stderr }));
    return { ...result, calls: readFileSync(log, 'utf8').trim().split('\n') };
  }
  const show =
    'az containerapp show --name gatehouse-dev --resource-group rg-gatehouse-dev --query properties.template.containers[0].image --output tsv';
  const lookup =
    'az acr repository show --name crgatehousedev --image gatehouse-runtime:0123456789abcdef0123456789abcdef --query digest --output tsv';

  it('plans with the digest running now, so the plan shows the infrastructure change alone', async () => {
    const result = await plan({
      runningImage: `crgatehousedev.azurecr.io/gatehouse-runtime@${running}`,
      tagDigest: tagged,
    });
    expect(result.code).toBe(0);
    expect(result.calls).toEqual([
      'node --import tsx scripts/deploy/plan.ts dev',
      show,
      'npx --no-install cdktf plan dev',
      `TF_VAR_runtime_image_digest=${running}`,
    ]);
  });

  it('plans a first deploy with the digest of the tag the deploy would push, when the registry has it', async () => {
    const result = await plan({ tagDigest: tagged });
    expect(result.calls).toEqual([
      'node --import tsx scripts/deploy/plan.ts dev',
      show,
      lookup,
      'npx --no-install cdktf plan dev',
      `TF_VAR_runtime_image_digest=${tagged}`,
    ]);
  });

  it('stops, saying why, when nothing runs and the registry lacks the tag: it never builds or pushes', async () => {
    const result = await plan({});
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      'error: dev runs no image yet and gatehouse-runtime:0123456789abcdef0123456789abcdef is not in crgatehousedev: deploy it once with npm run deploy -- dev',
    );
    expect(result.calls).toEqual(['node --import tsx scripts/deploy/plan.ts dev', show, lookup]);
  });
});
