import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { contextOf, createApp, createRequestListener } from './app.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { AppContext } from './http/context.js';
import { createMetricsListener } from './http/metrics-listener.js';
import { KeyRing } from './keys/key-ring.js';
import { migrateToLatest } from './store/migrate.js';
import { openStore, type Store } from './store/store.js';

/** How long shutdown waits for in-flight requests before cutting connections, in ms. Default 10000. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningRuntime {
  readonly server: Server;
  readonly app: Express;
  /** The app's context: store, key ring, token service, metrics, audit writer. */
  readonly ctx: AppContext;
  /** `http://127.0.0.1:<port>` as bound (useful with port 0). */
  readonly url: string;
  /** `http://127.0.0.1:<port>` of the metrics listener as bound; undefined without `METRICS_PORT`. */
  readonly metricsUrl: string | undefined;
  readonly store: Store;
  readonly keys: KeyRing;
  /**
   * Graceful stop: stop accepting connections, let in-flight requests finish (up to `graceMs`), then run the feature
   * modules' cleanup, stop the key ring and close the store. Idempotent.
   */
  shutdown(graceMs?: number): Promise<void>;
}

export interface StartOptions {
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Use this store instead of opening `config.database` (tests). It is still migrated and closed on shutdown. */
  readonly store?: Store;
  /** Interface to bind; default all interfaces. */
  readonly host?: string;
}

/** Opens and migrates the store, loads the signing keys, builds the app and listens on `config.port`. */
export async function startRuntime(config: Config, options: StartOptions): Promise<RunningRuntime> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) logger.warn(warning);
  const store =
    options.store ??
    openStore(config.database, {
      onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost; the pool reconnects'),
    });
  try {
    const { applied } = await migrateToLatest(store);
    if (applied.length) logger.info({ applied }, 'store migrated');
    const keys = new KeyRing({
      store,
      kek: config.keyEncryptionKey,
      clock,
      logger,
      alg: config.signingAlg,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      rotationDays: config.keyRotationDays,
    });
    await keys.start();
    const app = createApp(config, { store, logger, keys, clock });
    const server = drainable(createServer(createRequestListener(app)));
    await listen(server, config.port, options.host);
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const ctx = contextOf(app);
    let metricsServer: Server | undefined;
    let metricsUrl: string | undefined;
    if (config.metricsPort !== undefined) {
      metricsServer = drainable(createServer(createMetricsListener(ctx.metrics)));
      try {
        await listen(metricsServer, config.metricsPort, options.host);
      } catch (error) {
        await new Promise((resolve) => server.close(resolve));
        throw error;
      }
      metricsUrl = `http://127.0.0.1:${(metricsServer.address() as AddressInfo).port}`;
    }
    logger.info(
      {
        port,
        metrics_port: metricsUrl && Number(new URL(metricsUrl).port),
        store: store.dialect,
        public_url: config.publicUrl,
      },
      'gatehouse runtime listening',
    );

    let stopping: Promise<void> | undefined;
    const shutdown = (graceMs = SHUTDOWN_GRACE_MS): Promise<void> => {
      stopping ??= (async () => {
        logger.info('shutting down: no new connections, finishing in-flight requests');
        await Promise.all([closeServer(server, graceMs), metricsServer && closeServer(metricsServer, graceMs)]);
        for (const close of contextOf(app).onClose) await close();
        keys.stop();
        await store.close();
        logger.info('shutdown complete');
      })();
      return stopping;
    };
    return { server, app, ctx, url, metricsUrl, store, keys, shutdown };
  } catch (error) {
    await store.close();
    throw error;
  }
}

function listen(server: Server, port: number, host: string | undefined): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** Responses of a server being drained: begun before shutdown, not finished yet. */
const inFlight = new WeakMap<Server, { draining: boolean; responses: Set<ServerResponse> }>();

/**
 * Tracks a server's unfinished responses so shutdown can turn keep-alive off for them: once draining, every response
 * (in flight or arriving on an open connection) carries `Connection: close` and its connection ends after it, so no
 * client reuses a connection that is about to close.
 */
function drainable(server: Server): Server {
  const state = { draining: false, responses: new Set<ServerResponse>() };
  inFlight.set(server, state);
  server.prependListener('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (state.draining) {
      res.shouldKeepAlive = false;
      return;
    }
    state.responses.add(res);
    res.once('close', () => state.responses.delete(res));
  });
  return server;
}

/**
 * Graceful close: stop accepting connections, close idle keep-alive connections at once, let in-flight requests
 * finish (their responses say `Connection: close`, and a response already under way ends its connection when done),
 * then, after `graceMs`, cut whatever is left.
 */
function closeServer(server: Server, graceMs: number): Promise<void> {
  const state = inFlight.get(server);
  if (state) {
    state.draining = true;
    for (const res of state.responses) {
      if (!res.headersSent) res.shouldKeepAlive = false;
      else res.once('finish', () => res.socket?.end());
    }
  }
  return new Promise((resolve) => {
    const sweeper = setInterval(() => server.closeIdleConnections(), 50);
    const deadline = setTimeout(() => server.closeAllConnections(), graceMs);
    deadline.unref();
    server.close(() => {
      clearInterval(sweeper);
      clearTimeout(deadline);
      resolve();
    });
    server.closeIdleConnections();
  });
}

/** SIGTERM/SIGINT trigger a graceful shutdown, then the process exits (non-zero if shutdown failed). */
export function exitOnSignals(runtime: RunningRuntime, logger: Logger): void {
  const onSignal = (signal: NodeJS.Signals) => {
    logger.info({ signal }, 'signal received');
    runtime.shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', onSignal);
  process.once('SIGINT', onSignal);
}
