import { runPermissionsCommand } from './cli.js';

const result = runPermissionsCommand(process.argv.slice(2), { root: process.cwd() });
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
