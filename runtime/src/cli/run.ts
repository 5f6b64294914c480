import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { AuditWriter } from '../audit/audit-writer.js';
import { systemClock } from '../clock.js';
import { type Config, ConfigError, type Env, loadConfig } from '../config.js';
import { createBootstrapAdminKey } from '../credentials/bootstrap-admin.js';
import { notifyReplicas } from '../invalidation/bus.js';
import { KeyRing, SIGNING_KEY_TOPIC } from '../keys/key-ring.js';
import { RewrapError, rewrapSigningKeys } from '../keys/rewrap.js';
import { LOCAL_USER_USAGE, localUserCommand } from '../local-login/local-user-cli.js';
import { createLogger, type Logger } from '../logger.js';
import { exitOnSignals, type RunningRuntime, startRuntime } from '../server.js';
import { explainKeyFailure, explainStoreFailure, StartupError } from '../startup-errors.js';
import { migrateToLatest } from '../store/migrate.js';
import { openStore, type Store } from '../store/store.js';

export const USAGE = `Usage: gatehouse <command> [options]

Commands:
  serve                              start the runtime (configuration from the environment)
  migrate                            bring the store's schema up to date
  keys rotate                        publish the next signing key; it signs once every cached JWKS holds it, and
                                     the old one verifies until its tokens expire
  keys list [--json]                 list signing keys and their states
  keys rewrap [--json]               re-seal every signing key under KEY_ENCRYPTION_KEY (opening with
                                     KEY_ENCRYPTION_KEY_PREVIOUS), the middle step of a KEK rotation
  bootstrap-admin --name <n> [--json]
                                     create an admin API key in the default org and print it once
  ${LOCAL_USER_USAGE}

Configuration is read from environment variables (see runtime/README.md): DATABASE_URL, DATA_DIR,
KEY_ENCRYPTION_KEY, API_KEY_PEPPER, PUBLIC_URL, PORT, ...`;

export interface CliIo {
  readonly env: Env;
  /** Where `local-user add|reset` read a password (prompted when a TTY). Default: empty. */
  readonly stdin?: Readable & { readonly isTTY?: boolean };
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** Runs one CLI command; resolves to the exit code. `serve` resolves only after the server is up (and keeps running). */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(`${(error as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  const [command, sub] = parsed.positionals;
  if (!command || parsed.values.help) {
    io.stdout(`${USAGE}\n`);
    return command || parsed.values.help ? 0 : 2;
  }

  let config: Config;
  try {
    config = loadConfig(io.env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }

  if (command === 'serve') {
    const logger = createLogger(config.logLevel);
    let runtime: RunningRuntime;
    try {
      runtime = await startRuntime(config, { logger });
    } catch (error) {
      // A cause the operator can fix: one line naming it and the setting to change, no stack trace.
      if (error instanceof StartupError) {
        io.stderr(`gatehouse serve: ${error.message}\n`);
        return 1;
      }
      throw error;
    }
    exitOnSignals(runtime, logger);
    return 0;
  }

  // Other commands keep stdout for their result (JSON with --json); logs go to stderr.
  const logger = createLogger(config.logLevel === 'info' ? 'warn' : config.logLevel, pino.destination(2));
  for (const warning of config.warnings) io.stderr(`warning: ${warning}\n`);
  const store = openStore(config.database);
  try {
    const { applied } = await migrateToLatest(store);
    switch (command) {
      case 'migrate':
        io.stdout(applied.length ? `Applied migrations: ${applied.join(', ')}\n` : 'Store is up to date.\n');
        return 0;
      case 'keys':
        return await keysCommand(sub, parsed.values.json === true, { config, store, logger, io });
      case 'bootstrap-admin': {
        const name = parsed.values.name;
        if (typeof name !== 'string' || name === '') {
          io.stderr('bootstrap-admin: --name <name> is required\n');
          return 2;
        }
        const key = await createBootstrapAdminKey(
          { store, config, clock: systemClock, audit: new AuditWriter(store, systemClock, logger) },
          name,
        );
        if (parsed.values.json) {
          io.stdout(`${JSON.stringify(key)}\n`);
        } else {
          io.stdout(
            `Created admin API key "${key.name}" (key_id ${key.key_id}) in org ${key.org_id}.\n` +
              `Send it in the ${key.header_name} header. It is shown only this once:\n\n${key.api_key}\n`,
          );
        }
        return 0;
      }
      case 'local-user':
        return await localUserCommand(
          sub,
          { ...parsed.values, extra: parsed.positionals.slice(2) },
          {
            config,
            store,
            clock: systemClock,
            audit: new AuditWriter(store, systemClock, logger),
            input: { stdin: io.stdin ?? Readable.from([]), prompt: io.stderr },
            stdout: io.stdout,
            stderr: io.stderr,
          },
        );
      default:
        io.stderr(`Unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    // An unreachable store or a key-encryption key that opens nothing is named with the setting to change.
    const explained = explainKeyFailure(explainStoreFailure(error, config.database));
    io.stderr(`${command} failed: ${explained.message}\n`);
    return 1;
  } finally {
    await store.close();
  }
}

function parse(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    allowPositionals: true,
    options: {
      name: { type: 'string' },
      email: { type: 'string' },
      role: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

async function keysCommand(
  sub: string | undefined,
  json: boolean,
  deps: { config: Config; store: Store; logger: Logger; io: CliIo },
): Promise<number> {
  const { config, store, logger, io } = deps;
  const keys = new KeyRing({
    store,
    kek: config.keyEncryptionKey,
    previousKeks: config.previousKeyEncryptionKeys,
    clock: systemClock,
    logger,
    alg: config.signingAlg,
    accessTokenTtlSeconds: config.accessTokenTtlSeconds,
    rotationDays: config.keyRotationDays,
  });
  if (sub === 'rotate') {
    await keys.reload();
    const before = keys.ready ? keys.activeKey().kid : undefined;
    // On an empty store `start()` creates the first key (it signs at once); otherwise schedule the next one.
    if (!before) await keys.start();
    const kid = before ? await keys.rotate() : keys.activeKey().kid;
    keys.stop();
    const activatesAt = (await keys.list()).find((k) => k.kid === kid)?.activatedAt ?? null;
    // Running replicas re-read their keys now rather than at their next refresh.
    await notifyReplicas(store, SIGNING_KEY_TOPIC, kid);
    const audit = new AuditWriter(store, systemClock, logger);
    await audit.record({
      kind: 'signing_key.rotated',
      outcome: 'success',
      actor: { kind: 'cli', subject: 'gatehouse keys rotate' },
      credentialId: kid,
      details: { previous_kid: before ?? null, activates_at: activatesAt },
    });
    const scheduled = before !== undefined;
    io.stdout(
      json
        ? `${JSON.stringify({ kid, previous_kid: before ?? null, activates_at: activatesAt })}\n`
        : scheduled
          ? `Next signing key: ${kid}, in the JWKS now; it signs from ${activatesAt}. ${before} verifies until its tokens expire.\n`
          : `New active signing key: ${kid}\n`,
    );
    return 0;
  }
  if (sub === 'list') {
    const list = await keys.list();
    if (json) {
      io.stdout(`${JSON.stringify(list)}\n`);
    } else {
      io.stdout(
        list.length === 0
          ? 'No signing keys yet (the first is created when the runtime starts or with `keys rotate`).\n'
          : `${list.map((k) => `${k.kid}  ${k.alg}  ${k.state.padEnd(8)}  activated ${k.activatedAt}${k.retireAfter ? `  verifies until ${k.retireAfter}` : ''}`).join('\n')}\n`,
      );
    }
    return 0;
  }
  if (sub === 'rewrap') {
    let result: Awaited<ReturnType<typeof rewrapSigningKeys>>;
    try {
      result = await rewrapSigningKeys(store, config.keyEncryptionKey, config.previousKeyEncryptionKeys);
    } catch (error) {
      if (!(error instanceof RewrapError)) throw error;
      io.stderr(`keys rewrap: ${error.message}\n`);
      return 1;
    }
    await new AuditWriter(store, systemClock, logger).record({
      kind: 'signing_key.rewrapped',
      outcome: 'success',
      actor: { kind: 'cli', subject: 'gatehouse keys rewrap' },
      details: { rewrapped: result.rewrapped, already_current: result.alreadyCurrent.length },
    });
    io.stdout(
      json
        ? `${JSON.stringify({ rewrapped: result.rewrapped, already_current: result.alreadyCurrent })}\n`
        : `Re-sealed ${result.rewrapped.length} signing key(s) under KEY_ENCRYPTION_KEY; ${result.alreadyCurrent.length} already were.\n`,
    );
    return 0;
  }
  io.stderr(`keys: expected "rotate", "list" or "rewrap"\n\n${USAGE}\n`);
  return 2;
}
