import { randomBytes } from 'node:crypto';
import { type Config, ConfigError, type Env, loadConfig } from '../config.js';
import { createLogger } from '../logger.js';
import { type RunningRuntime, startRuntime } from '../server.js';
import { explainListenFailure, StartupError } from '../startup-errors.js';
import type { DevOidcProvider } from './dev-oidc-provider.js';
import { DEV_USERS } from './dev-users.js';

/** Client id the runtime uses at the local IdP. */
export const DEV_CLIENT_ID = 'gatehouse-dev';
/** Default port of the local IdP (`DEV_IDP_PORT`); 0 picks a free one. */
export const DEV_IDP_DEFAULT_PORT = 8081;

export interface DevIo {
  readonly env: Env;
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

export interface DevSession {
  readonly runtime: RunningRuntime;
  readonly config: Config;
  /** Undefined when `OIDC_ISSUER` points at a real IdP. */
  readonly idp: DevOidcProvider | undefined;
  close(): Promise<void>;
}

/**
 * `npm run dev`: the runtime (SQLite unless DATABASE_URL says otherwise; PORT, DATA_DIR and PUBLIC_URL honoured like
 * `gatehouse serve`) plus, unless OIDC_ISSUER is set, a local OIDC provider on loopback with the seeded accounts, so
 * browser sign-in works with no cloud. Refuses NODE_ENV=production (exit code 2).
 */
export async function runDev(io: DevIo): Promise<DevSession | number> {
  if (io.env.NODE_ENV === 'production') {
    io.stderr(
      'npm run dev refuses NODE_ENV=production: it starts a local identity provider that signs in anyone.\n' +
        'Run `gatehouse serve` with OIDC_ISSUER set to your IdP (e.g. https://login.microsoftonline.com/<tenant-id>/v2.0).\n',
    );
    return 2;
  }
  const port = io.env.PORT || '8080';
  const publicUrl = (io.env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  const idpPort = Number(io.env.DEV_IDP_PORT || DEV_IDP_DEFAULT_PORT);
  if (!Number.isInteger(idpPort) || idpPort < 0 || idpPort > 65535) {
    io.stderr('DEV_IDP_PORT must be a port number from 0 to 65535 (default 8081)\n');
    return 2;
  }

  let idp: DevOidcProvider | undefined;
  const env: Record<string, string | undefined> = { ...io.env, PORT: port, PUBLIC_URL: publicUrl };
  if (!io.env.OIDC_ISSUER) {
    // Loaded only when needed: oidc-provider is a development dependency.
    const { startDevOidcProvider } = await import('./dev-oidc-provider.js');
    // A fresh client secret per run: it only ever lives in this process.
    const clientSecret = randomBytes(24).toString('base64url');
    try {
      idp = await startDevOidcProvider({
        nodeEnv: io.env.NODE_ENV ?? 'development',
        port: idpPort,
        clientId: DEV_CLIENT_ID,
        clientSecret,
        redirectUris: [`${publicUrl}/auth/callback`],
      });
    } catch (error) {
      const explained = explainListenFailure(error, 'DEV_IDP_PORT', idpPort, undefined);
      if (!(explained instanceof StartupError)) throw error;
      io.stderr(`npm run dev: ${explained.message} (0 picks one; it is the local identity provider's port)\n`);
      return 1;
    }
    Object.assign(env, { OIDC_ISSUER: idp.issuer, OIDC_CLIENT_ID: DEV_CLIENT_ID, OIDC_CLIENT_SECRET: clientSecret });
  }

  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    await idp?.close();
    if (error instanceof ConfigError) {
      io.stderr(`${error.message}\n`);
      return 2;
    }
    throw error;
  }
  const logger = createLogger(config.logLevel);
  let runtime: RunningRuntime;
  try {
    runtime = await startRuntime(config, { logger });
  } catch (error) {
    await idp?.close();
    if (error instanceof StartupError) {
      io.stderr(`npm run dev: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  io.stdout(banner(config, idp));
  return {
    runtime,
    config,
    idp,
    close: async () => {
      await runtime.shutdown(1000);
      await idp?.close();
    },
  };
}

function banner(config: Config, idp: DevOidcProvider | undefined): string {
  const base = config.publicUrl;
  const store = config.database.kind === 'sqlite' ? `SQLite ${config.database.filename}` : 'PostgreSQL';
  const accounts = DEV_USERS.map((user) => `${user.email} (${user.roles.join(', ')})`).join(', ');
  const lines = [
    '',
    'gatehouse development runtime',
    `  runtime     ${base}   (${store})`,
    `  sign in     ${base}/auth/login?return_to=/auth/me`,
    idp ? `  local IdP   ${idp.issuer}   accounts: ${accounts}` : `  IdP         ${config.oidc?.issuer} (OIDC_ISSUER)`,
    `  who am I    ${base}/auth/me`,
    `  API         ${base}/openapi.json`,
    'Stop with Ctrl+C.',
    '',
  ];
  return `${lines.join('\n')}\n`;
}
