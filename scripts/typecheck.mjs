// `npm run typecheck`: builds the constructs package (the stacks type-check against its declarations, as a user's
// project would), then type-checks the tree and the admin console (its own tsconfig: DOM, no Node) side by side.
// Side by side, with the tree's checkers leaving one CPU to the console, is what keeps the whole check near two and a
// half seconds on a two-core machine; one after the other it takes about a second more.
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const tsc = fileURLToPath(new URL('../node_modules/typescript/bin/tsc', import.meta.url));

/** Runs tsc with `args` from the repository root, its output passed through; resolves to its exit code. */
function runTsc(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsc, ...args], { cwd: root, stdio: 'inherit' });
    child.on('error', reject);
    child.on('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
  });
}

const built = await runTsc(['-b', 'constructs/tsconfig.build.json']);
if (built !== 0) process.exit(built);

const checkers = String(Math.max(1, availableParallelism() - 1));
const codes = await Promise.all([
  runTsc(['--noEmit', '-p', 'tsconfig.json', '--checkers', checkers]),
  runTsc(['--noEmit', '-p', 'runtime/src/admin/console/tsconfig.json']),
]);
process.exit(codes.find((code) => code !== 0) ?? 0);
