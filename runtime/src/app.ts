import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { AuditWriter } from './audit/audit-writer.js';
import { type Clock, systemClock } from './clock.js';
import { composeServices, routeTable, type Services } from './composition-root.js';
import type { Config } from './config.js';
import type { AppContext } from './http/context.js';
import { errorHandler, notFoundHandler } from './http/error-middleware.js';
import { pathOf } from './http/fast-router.js';
import { instrumentRequest } from './http/instrument.js';
import { Metrics } from './http/metrics.js';
import { mountRoutes } from './http/mount-routes.js';
import { renderError } from './http/render-error.js';
import { TRUST_PROXY } from './http/request-meta.js';
import { applySecurityHeaders, securityHeadersFor } from './http/security-headers.js';
import type { KeyRing } from './keys/key-ring.js';
import type { Store } from './store/store.js';
import { TokenService } from './tokens/access-tokens.js';

export interface AppDeps {
  readonly store: Store;
  readonly logger: Logger;
  /** Started key ring (`await keys.start()` before serving). */
  readonly keys: KeyRing;
  /** Default: the system clock. Tests pass a clock they can move. */
  readonly clock?: Clock;
  /** Default: a `TokenService` over `keys` with the configured issuer, audience and lifetime. */
  readonly tokens?: TokenService;
  /** Default: a fresh registry per app. */
  readonly metrics?: Metrics;
}

const runtimes = new WeakMap<Express, Services>();

/**
 * Builds the Express app (never listens): the services from the composition root, then every route of the route
 * table. Serve it with `createRequestListener(app)` so hot routes skip Express.
 */
export function createApp(config: Config, deps: AppDeps): Express {
  const clock = deps.clock ?? systemClock;
  const ctx: AppContext = {
    config,
    store: deps.store,
    logger: deps.logger,
    clock,
    keys: deps.keys,
    tokens:
      deps.tokens ??
      new TokenService({
        keys: deps.keys,
        clock,
        issuer: config.publicUrl,
        audience: config.accessTokenAudience,
        ttlSeconds: config.accessTokenTtlSeconds,
      }),
    metrics: deps.metrics ?? new Metrics(),
    audit: new AuditWriter(deps.store, clock, deps.logger),
    onClose: [],
  };
  const services = composeServices(ctx);

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Behind the Container Apps ingress / a local reverse proxy: take the client address from X-Forwarded-For only when
  // the hop is private (the same rule `requestMeta` applies on every path).
  app.set('trust proxy', TRUST_PROXY);

  const securityHeaders = securityHeadersFor(config);
  app.use((req, res, next) => {
    req.securityHeaders ??= securityHeaders;
    applySecurityHeaders(req, res);
    if (req.requestId === undefined) {
      instrumentRequest(ctx.logger, ctx.metrics, req, res, () =>
        req.route ? `${req.baseUrl}${req.route.path}` : 'unmatched',
      );
    }
    next();
  });

  mountRoutes(app, routeTable(services), services);

  // Fast routes also answer through Express (direct use of the app, e.g. supertest-style callers).
  for (const { method, path, handler } of services.fast.entries()) {
    if (method === 'HEAD') continue;
    const verb = method === 'GET' ? 'get' : 'post';
    app[verb](path, (req, res) => handler(req, res));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));

  runtimes.set(app, services);
  return app;
}

/** The services an app was built with (for `server.ts` and tests). */
export function servicesOf(app: Express): Services {
  const services = runtimes.get(app);
  if (!services) throw new Error('Not an app built by createApp');
  return services;
}

/**
 * The `node:http` request listener: fast routes are answered directly (request id, metrics and the access log still
 * apply), everything else goes through Express.
 */
export function createRequestListener(app: Express): RequestListener {
  const { ctx, fast } = servicesOf(app);
  const securityHeaders = securityHeadersFor(ctx.config);
  return (req: IncomingMessage, res: ServerResponse) => {
    req.securityHeaders = securityHeaders;
    const path = pathOf(req.url);
    const handler = fast.match(req.method, path);
    if (!handler) {
      app(req, res);
      return;
    }
    instrumentRequest(ctx.logger, ctx.metrics, req, res, () => path, false);
    try {
      const pending = handler(req, res);
      if (pending) pending.catch((error: unknown) => renderError(req, res, error, ctx.logger));
    } catch (error) {
      renderError(req, res, error, ctx.logger);
    }
  };
}
