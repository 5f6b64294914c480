import { readFileSync } from 'node:fs';

const DOCKERFILE = 'runtime/Dockerfile';
/** The exec-form ENTRYPOINT, which may continue over lines ending in a backslash. */
const ENTRYPOINT = /^ENTRYPOINT\s+(\[(?:[^\]\\]|\\\n)*\])/m;

/**
 * The node flags the runtime image starts with: its Dockerfile's exec-form `ENTRYPOINT ["node", <flags>, <script>]`,
 * so that the bench runs the runtime with the V8 settings production runs it with. The Dockerfile is the one place
 * they are written down.
 */
export function imageNodeFlags(dockerfile = readFileSync(DOCKERFILE, 'utf8')): string[] {
  const match = ENTRYPOINT.exec(dockerfile);
  if (!match) throw new Error(`${DOCKERFILE} has no exec-form ENTRYPOINT ["node", ...]`);
  let words: unknown;
  try {
    words = JSON.parse((match[1] as string).replace(/\\\n/g, ' '));
  } catch {
    throw new Error(`${DOCKERFILE}'s ENTRYPOINT is not a JSON array of strings`);
  }
  if (!Array.isArray(words) || !words.every((word) => typeof word === 'string')) {
    throw new Error(`${DOCKERFILE}'s ENTRYPOINT is not a JSON array of strings`);
  }
  const [command, ...rest] = words as string[];
  if (command !== 'node') throw new Error(`${DOCKERFILE}'s ENTRYPOINT runs '${command}', expected 'node'`);
  const script = rest.findIndex((word) => !word.startsWith('-'));
  if (script < 0) throw new Error(`${DOCKERFILE}'s ENTRYPOINT names no script after node's flags`);
  return rest.slice(0, script);
}
