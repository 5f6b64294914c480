import { runCli } from './run.js';

// Entry point of `gatehouse` (runtime/bin/gatehouse.js loads this). The only module that touches process.env.
const code = await runCli(process.argv.slice(2), {
  env: process.env,
  // A getter: only `local-user add|reset` touch stdin; other commands never open it.
  get stdin() {
    return process.stdin;
  },
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
if (code !== 0 || process.argv[2] !== 'serve') process.exitCode = code;
