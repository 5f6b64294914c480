import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { diffManifests, renderDiffMarkdown } from './diff.js';
import {
  generateManifests,
  MANIFEST_DIR,
  renderPermissionFiles,
  STALE_MESSAGE,
  staleFiles,
  writePermissionFiles,
} from './generate.js';
import type { PermissionManifest } from './manifest.js';

/** Exit code of `diff` when a change needs a second reviewer (an escalation). */
export const ESCALATION_EXIT_CODE = 3;
/** Exit code for bad usage or a failure to read the inputs. */
export const USAGE_EXIT_CODE = 2;

export interface CommandResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface CommandContext {
  /** Repository root: where permissions/ and PERMISSIONS.md live and git runs. */
  readonly root: string;
  /** Produces the manifests of the working tree. @default - synthesizes every environment of stacks/ */
  readonly generate?: () => PermissionManifest[];
}

function git(root: string, args: string[]): string {
  return execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The manifests committed at a git ref, by environment. */
function manifestsAt(root: string, ref: string): Map<string, PermissionManifest> {
  try {
    git(root, ['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch {
    throw new Error(`--base: unknown git ref ${JSON.stringify(ref)}`);
  }
  const files = git(root, ['ls-tree', '--name-only', ref, `${MANIFEST_DIR}/`])
    .split('\n')
    .filter((file) => file.endsWith('.json'));
  const manifests = new Map<string, PermissionManifest>();
  for (const file of files) {
    const manifest = JSON.parse(git(root, ['show', `${ref}:${file}`])) as PermissionManifest;
    manifests.set(manifest.environment, manifest);
  }
  return manifests;
}

const USAGE = 'usage: permissions write | check | diff --base <git ref>';

/** `write`, `check` or `diff --base <ref>`; never exits the process, so tests call it directly. */
export function runPermissionsCommand(argv: readonly string[], context: CommandContext): CommandResult {
  const generate = context.generate ?? (() => generateManifests());
  const [command, ...rest] = argv;
  try {
    if (command === 'write') {
      const files = renderPermissionFiles(generate());
      writePermissionFiles(context.root, files);
      return { exitCode: 0, stdout: `wrote ${[...files.keys()].join(', ')}\n`, stderr: '' };
    }
    if (command === 'check') {
      const stale = staleFiles(context.root, renderPermissionFiles(generate()));
      if (stale.length === 0) return { exitCode: 0, stdout: 'permission manifest is up to date\n', stderr: '' };
      return { exitCode: 1, stdout: '', stderr: `${STALE_MESSAGE}\nstale: ${stale.join(', ')}\n` };
    }
    if (command === 'diff') {
      const { values } = parseArgs({ args: [...rest], options: { base: { type: 'string' } } });
      if (!values.base) {
        return {
          exitCode: USAGE_EXIT_CODE,
          stdout: '',
          stderr: '--base is required: the git ref to compare with, e.g. --base origin/main\n',
        };
      }
      const before = manifestsAt(context.root, values.base);
      const after = new Map(generate().map((m) => [m.environment, m]));
      const changes = [...new Set([...before.keys(), ...after.keys()])].flatMap((env) =>
        diffManifests(env, before.get(env), after.get(env)),
      );
      const exitCode = changes.some((c) => c.escalation) ? ESCALATION_EXIT_CODE : 0;
      return { exitCode, stdout: renderDiffMarkdown(changes), stderr: '' };
    }
    return { exitCode: USAGE_EXIT_CODE, stdout: '', stderr: `${USAGE}\n` };
  } catch (error) {
    return {
      exitCode: USAGE_EXIT_CODE,
      stdout: '',
      stderr: `${error instanceof Error ? error.message : String(error)}\n`,
    };
  }
}
