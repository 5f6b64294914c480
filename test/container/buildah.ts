import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { type CommandResult, run, tail } from '../support/command.js';

/**
 * Thin helpers over the buildah CLI for the container test: build through the same script as `npm run image`, read
 * an image's config, and run commands in a working container (`buildah run --isolation chroot`, host network).
 */

/** Builds runtime/Dockerfile with scripts/image/build.sh (what `npm run image` runs); returns the image name. */
export async function buildImage(image: string, timeoutMs: number): Promise<string> {
  const result = await run('bash', ['scripts/image/build.sh', image], timeoutMs);
  if (result.code !== 0) {
    throw new Error(`scripts/image/build.sh ${image} exited with ${result.code}:\n${tail(result.stderr)}`);
  }
  return result.stdout.trim().split('\n').at(-1) ?? image;
}

export interface ImageConfig {
  readonly entrypoint: readonly string[];
  readonly cmd: readonly string[];
  readonly env: readonly string[];
  readonly user: string;
  readonly exposedPorts: readonly string[];
  readonly healthcheck: readonly string[] | undefined;
  /** Sum of the layers' uncompressed tar sizes, in bytes. */
  readonly uncompressedSizeBytes: number;
}

const UNCOMPRESSED_LAYER_TYPES = new Set([
  'application/vnd.docker.image.rootfs.diff.tar',
  'application/vnd.oci.image.layer.v1.tar',
]);

export async function inspectImage(image: string): Promise<ImageConfig> {
  const result = await run('buildah', ['inspect', '--type', 'image', image], 60_000);
  if (result.code !== 0) throw new Error(`buildah inspect ${image} failed:\n${tail(result.stderr)}`);
  const info = JSON.parse(result.stdout) as {
    Manifest: string;
    Docker: {
      config: {
        Entrypoint?: string[] | null;
        Cmd?: string[] | null;
        Env?: string[] | null;
        User?: string;
        ExposedPorts?: Record<string, unknown> | null;
        Healthcheck?: { Test?: string[] } | null;
      };
    };
  };
  const manifest = JSON.parse(info.Manifest) as { layers: { mediaType: string; size: number }[] };
  for (const layer of manifest.layers) {
    // Locally stored layers are plain tars, so their size is the uncompressed size; anything else would be wrong.
    if (!UNCOMPRESSED_LAYER_TYPES.has(layer.mediaType)) {
      throw new Error(`cannot measure the uncompressed size: layer media type ${layer.mediaType}`);
    }
  }
  const config = info.Docker.config;
  return {
    entrypoint: config.Entrypoint ?? [],
    cmd: config.Cmd ?? [],
    env: config.Env ?? [],
    user: config.User ?? '',
    exposedPorts: Object.keys(config.ExposedPorts ?? {}),
    healthcheck: config.Healthcheck?.Test,
    uncompressedSizeBytes: manifest.layers.reduce((sum, layer) => sum + layer.size, 0),
  };
}

/** A working container of `image`; every `run`/`start` shares its root filesystem (and so the data directory). */
export class WorkingContainer {
  private constructor(readonly id: string) {}

  static async from(image: string): Promise<WorkingContainer> {
    const result = await run('buildah', ['from', '--pull=never', image], 120_000);
    if (result.code !== 0) throw new Error(`buildah from ${image} failed:\n${tail(result.stderr)}`);
    return new WorkingContainer(result.stdout.trim().split('\n').at(-1)!);
  }

  /**
   * Sets environment variables in the container's config (like `docker run -e`), so secrets do not appear on the
   * command line of the long-running `buildah run`.
   */
  async setEnv(env: Readonly<Record<string, string>>): Promise<void> {
    const args = Object.entries(env).flatMap(([name, value]) => ['--env', `${name}=${value}`]);
    const result = await run('buildah', ['config', ...args, this.id], 30_000);
    if (result.code !== 0) throw new Error(`buildah config failed:\n${tail(result.stderr)}`);
  }

  private runArgs(command: readonly string[]): string[] {
    return ['run', '--isolation', 'chroot', '--network', 'host', this.id, '--', ...command];
  }

  exec(command: readonly string[], timeoutMs: number): Promise<CommandResult> {
    return run('buildah', this.runArgs(command), timeoutMs);
  }

  /** Starts a long-running command; its output is collected on the returned handle. */
  start(command: readonly string[]): RunningCommand {
    return new RunningCommand(spawn('buildah', this.runArgs(command), { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  async remove(): Promise<void> {
    await run('buildah', ['rm', this.id], 60_000);
  }
}

export class RunningCommand {
  output = '';
  readonly exited: Promise<number | null>;
  private exitCode: number | null | undefined;

  constructor(readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      this.output += chunk.toString();
    });
    this.exited = new Promise((resolve) => {
      child.on('exit', (code) => {
        this.exitCode = code;
        resolve(code);
      });
    });
  }

  get running(): boolean {
    return this.exitCode === undefined;
  }

  /**
   * The host pid of the command itself. With chroot isolation there is no pid namespace: the command runs as a
   * descendant of `buildah run`, which does not forward signals, so signals go to this pid (as a container runtime
   * sends them to PID 1).
   */
  commandPid(matches: (argv: readonly string[]) => boolean): number | undefined {
    const rootPid = this.child.pid;
    if (rootPid === undefined) return undefined;
    const children = new Map<number, number[]>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
      } catch {
        // The process ended while we listed /proc.
      }
    }
    const queue = [...(children.get(rootPid) ?? [])];
    while (queue.length > 0) {
      const pid = queue.shift()!;
      try {
        const argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        if (matches(argv)) return pid;
      } catch {
        continue;
      }
      queue.push(...(children.get(pid) ?? []));
    }
    return undefined;
  }
}
