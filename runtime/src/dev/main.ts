import { createLogger } from '../logger.js';
import { exitOnSignals } from '../server.js';
import { runDev } from './run-dev.js';

// Entry point of `npm run dev` (development only; excluded from the production build). Like cli/main.ts, the only
// place of the dev tooling that touches process.env.
const session = await runDev({
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
if (typeof session === 'number') {
  process.exitCode = session;
} else {
  // The local IdP lives in this process and ends with it.
  exitOnSignals(session.runtime, createLogger(session.config.logLevel));
}
