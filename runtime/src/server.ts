import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Express } from 'express';
import type { Logger } from 'pino';
import { createApp, createRequestListener, servicesOf } from './app.js';
import { type Clock, systemClock } from './clock.js';
import type { Services } from './composition-root.js';
import type { Config } from './config.js';
import type { AppContext } from './http/context.js';
import { Metrics } from './http/metrics.js';
import { createMetricsListener } from './http/metrics-listener.js';
import { KeyRing } from './keys/key-ring.js';
import { explainKeyFailure, explainListenFailure, explainStoreFailure } from './startup-errors.js';
import { migrateToLatest } from './store/migrate.js';
import { openStore, type Store } from './store/store.js';

/** How long shutdown waits for in-flight requests before cutting connections, in ms. Default 10000. */
export const SHUTDOWN_GRACE_MS = 10_000;

export interface RunningRuntime {
  readonly server: Server;
  readonly app: Express;
  /** The app's context: store, key ring, token service, metrics, audit writer. */
  readonly ctx: AppContext;
  /** Every service of the app, as the composition root built them. */
  readonly services: Services;
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

/**
 * Binds the ports first (a port in use is reported before anything is written), then opens and migrates the store,
 * loads the signing keys and builds the app; until then the service port answers 503. A failure the operator can fix
 * rejects with a `StartupError`: one line naming the cause and the setting to change.
 */
export async function startRuntime(config: Config, options: StartOptions): Promise<RunningRuntime> {
  const { logger } = options;
  const clock = options.clock ?? systemClock;
  for (const warning of config.warnings) logger.warn(warning);
  const metrics = new Metrics();
  let serve: RequestListener = answerStarting;
  const server = drainable(createServer((req, res) => serve(req, res)));
  const metricsServer =
    config.metricsPort === undefined ? undefined : drainable(createServer(createMetricsListener(metrics)));
  try {
    await listen(server, config.port, options.host, 'PORT');
    if (metricsServer) await listen(metricsServer, config.metricsPort as number, options.host, 'METRICS_PORT');
  } catch (error) {
    await closeListeners(server, metricsServer);
    throw error;
  }
  const store =
    options.store ??
    openStore(config.database, {
      onConnectionError: (error) => logger.warn({ err: error }, 'database connection lost; the pool reconnects'),
    });
  try {
    const { applied } = await migrateToLatest(store).catch((error: unknown) => {
      throw explainStoreFailure(error, config.database);
    });
    if (applied.length) logger.info({ applied }, 'store migrated');
    const keys = new KeyRing({
      store,
      kek: config.keyEncryptionKey,
      previousKeks: config.previousKeyEncryptionKeys,
      clock,
      logger,
      alg: config.signingAlg,
      accessTokenTtlSeconds: config.accessTokenTtlSeconds,
      rotationDays: config.keyRotationDays,
    });
    await keys.start().catch((error: unknown) => {
      throw explainKeyFailure(error);
    });
    const app = createApp(config, { store, logger, keys, clock, metrics });
    serve = createRequestListener(app);
    const services = servicesOf(app);
    const { ctx } = services;
    const { port } = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${port}`;
    const metricsPort = metricsServer && (metricsServer.address() as AddressInfo).port;
    const metricsUrl = metricsPort === undefined ? undefined : `http://127.0.0.1:${metricsPort}`;
    logger.info(
      { port, metrics_port: metricsPort, store: store.dialect, public_url: config.publicUrl },
      'gatehouse runtime listening',
    );

    let stopping: Promise<void> | undefined;
    const shutdown = (graceMs = SHUTDOWN_GRACE_MS): Promise<void> => {
      stopping ??= (async () => {
        logger.info('shutting down: no new connections, finishing in-flight requests');
        await Promise.all([closeServer(server, graceMs), metricsServer && closeServer(metricsServer, graceMs)]);
        for (const close of ctx.onClose) await close();
        keys.stop();
        await store.close();
        logger.info('shutdown complete');
      })();
      return stopping;
    };
    return { server, app, ctx, services, url, metricsUrl, store, keys, shutdown };
  } catch (error) {
    await closeListeners(server, metricsServer);
    await store.close();
    throw error;
  }
}

/** Until the app is built, the bound port answers 503 `unavailable` (readiness probes wait; nothing is half served). */
const answerStarting: RequestListener = (_req, res) => {
  const body = JSON.stringify({ error: { code: 'unavailable', message: 'The runtime is starting; retry shortly' } });
  res.writeHead(503, {
    'Content-Type': 'application/json; charset=utf-8',
    'X-Content-Type-Options': 'nosniff',
    'Retry-After': '1',
    Connection: 'close',
  });
  res.end(body);
};

function listen(server: Server, port: number, host: string | undefined, setting: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const fail = (error: unknown) => reject(explainListenFailure(error, setting, port, host));
    server.once('error', fail);
    server.listen(port, host, () => {
      server.off('error', fail);
      resolve();
    });
  });
}

async function closeListeners(...servers: Array<Server | undefined>): Promise<void> {
  await Promise.all(
    servers.map((server) =>
      server?.listening ? new Promise((resolve) => server.close(resolve)) : Promise.resolve(undefined),
    ),
  );
}

interface DrainState {
  draining: boolean;
  /** Open connections (tracked per connection, not per request: the hot path pays one WeakMap write). */
  readonly sockets: Set<Socket>;
  /** Each connection's latest response. */
  readonly current: WeakMap<Socket, ServerResponse>;
}

/** The drain state of the servers `drainable` prepared. */
const drainStates = new WeakMap<Server, DrainState>();

/**
 * Prepares a server for a graceful drain: once draining, every response (in flight or arriving on an open connection)
 * carries `Connection: close` and its connection ends after it, so no client reuses a connection about to close.
 */
function drainable(server: Server): Server {
  const state: DrainState = { draining: false, sockets: new Set(), current: new WeakMap() };
  drainStates.set(server, state);
  server.on('connection', (socket: Socket) => {
    state.sockets.add(socket);
    socket.once('close', () => state.sockets.delete(socket));
  });
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (state.draining) res.shouldKeepAlive = false;
    else state.current.set(req.socket, res);
  });
  return server;
}

/**
 * Graceful close: stop accepting connections, close idle keep-alive connections at once, let in-flight requests
 * finish (their responses say `Connection: close`, and a response already under way ends its connection when done),
 * then, after `graceMs`, cut whatever is left.
 */
function closeServer(server: Server, graceMs: number): Promise<void> {
  const state = drainStates.get(server);
  if (state) {
    state.draining = true;
    for (const socket of state.sockets) {
      const res = state.current.get(socket);
      if (!res || res.writableFinished) continue;
      if (!res.headersSent) res.shouldKeepAlive = false;
      else res.once('finish', () => socket.end());
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
