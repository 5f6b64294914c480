import { readFileSync } from 'node:fs';

const DOCKERFILE = 'runtime/Dockerfile';
const NODE_OPTIONS_LINE = /^\s*(?:ENV\s+)?NODE_OPTIONS="([^"]*)"/m;

/**
 * The NODE_OPTIONS the runtime image sets (its Dockerfile's `ENV`), so the bench runs the runtime with the V8 settings
 * production runs it with. The Dockerfile is the one place they are written down.
 */
export function imageNodeOptions(dockerfile = readFileSync(DOCKERFILE, 'utf8')): string {
  const match = NODE_OPTIONS_LINE.exec(dockerfile);
  if (!match) throw new Error(`${DOCKERFILE} sets no NODE_OPTIONS="..." in an ENV instruction`);
  return match[1] as string;
}
