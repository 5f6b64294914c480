import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type Express } from 'express';
import type { Logger } from 'pino';
import { registerAdminRoutes } from './admin/register-admin-routes.js';
import { registerAuditRoutes } from './audit/audit-routes.js';
import { AuditWriter } from './audit/audit-writer.js';
import { authOf } from './auth/authenticator.js';
import { registerAuthRoutes } from './auth/register-auth-routes.js';
import { type Clock, systemClock } from './clock.js';
import type { Config } from './config.js';
import { apiKeyRoutes, registerApiKeyRoutes } from './credentials/api-keys/api-key-routes.js';
import { registerClientRoutes } from './credentials/clients/client-routes.js';
import { registerEntraJwt } from './credentials/entra/register-entra-jwt.js';
import { registerTeamTokenRoutes } from './credentials/team-tokens/team-token-routes.js';
import type { AppContext } from './http/context.js';
import { errorHandler, notFoundHandler } from './http/error-middleware.js';
import { FastRouter, pathOf } from './http/fast-router.js';
import { instrumentRequest } from './http/instrument.js';
import { jsonBody } from './http/json-body.js';
import { Metrics } from './http/metrics.js';
import { mountRoutes } from './http/mount-routes.js';
import { OpenApiRegistry } from './http/openapi.js';
import { BODY_LIMIT_BYTES } from './http/raw-body.js';
import { renderError } from './http/render-error.js';
import type { AnyRoute } from './http/route.js';
import { applySecurityHeaders, securityHeadersFor } from './http/security-headers.js';
import type { KeyRing } from './keys/key-ring.js';
import { registerLocalLoginRoutes } from './local-login/local-login-routes.js';
import { registerOAuthRoutes } from './oauth/register-oauth-routes.js';
import { registerOrgRoutes } from './orgs/org-routes.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerOperationsRoutes } from './routes/operations.js';
import { registerSigningKeyRoutes } from './routes/signing-keys.js';
import { registerWellKnownRoutes } from './routes/well-known.js';
import { registerSigninRoutes } from './signin/register-signin-routes.js';
import type { Store } from './store/store.js';
import { TokenService } from './tokens/access-tokens.js';
import { registerUserRoutes } from './users/users-routes.js';
import { registerWsTicketRoutes } from './ws-ticket/register-ws-ticket-routes.js';

/** A feature module: registers its Express routes, fast routes and OpenAPI operations. */
export type RouteModule = (app: Express, ctx: AppContext) => void;

/**
 * THE list of feature modules, in registration order: the core, then credentials, then browser sign-in. A new
 * module adds its `register...Routes` function here; nothing else in this file should need to change.
 */
const ROUTE_MODULES: readonly RouteModule[] = [
  registerHealthRoutes,
  registerWellKnownRoutes,
  registerOperationsRoutes,
  registerSigningKeyRoutes,
  // -- credentials: API keys, audit, orgs and team tokens, API clients, Entra tokens, OAuth endpoints --
  registerAuthRoutes,
  registerApiKeyRoutes,
  registerAuditRoutes,
  registerOrgRoutes,
  registerTeamTokenRoutes,
  registerClientRoutes,
  registerEntraJwt,
  registerOAuthRoutes,
  // -- browser sign-in: sessions, break-glass password login, users, the admin console, WebSocket tickets --
  registerSigninRoutes,
  registerLocalLoginRoutes,
  registerUserRoutes,
  registerAdminRoutes,
  registerWsTicketRoutes,
];

/** THE route table: every declared route, in the order Express matches them. */
function routeTable(ctx: AppContext): AnyRoute[] {
  return [...apiKeyRoutes(ctx)];
}

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

const contexts = new WeakMap<Express, AppContext>();

/** Builds the Express app (never listens). Serve it with `createRequestListener(app)` so hot paths skip Express. */
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
    openapi: new OpenApiRegistry(),
    fast: new FastRouter(),
    parse: {
      json: jsonBody(BODY_LIMIT_BYTES),
      form: express.urlencoded({ limit: BODY_LIMIT_BYTES, extended: false }),
    },
    onClose: [],
  };

  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  // Behind the Container Apps ingress / a local reverse proxy: take the client address from X-Forwarded-For only when
  // the hop is private.
  app.set('trust proxy', 'loopback, linklocal, uniquelocal');
  app.locals.ctx = ctx;

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

  for (const register of ROUTE_MODULES) register(app, ctx);
  mountRoutes(app, routeTable(ctx), { auth: authOf(ctx), fast: ctx.fast, openapi: ctx.openapi });

  // Fast routes also answer through Express (direct use of the app, e.g. supertest-style callers).
  for (const { method, path, handler } of ctx.fast.entries()) {
    if (method === 'HEAD') continue;
    const verb = method === 'GET' ? 'get' : 'post';
    app[verb](path, (req, res) => handler(req, res));
  }

  app.use(notFoundHandler);
  app.use(errorHandler(ctx.logger));

  contexts.set(app, ctx);
  return app;
}

/** The context an app was built with (for `server.ts` and tests). */
export function contextOf(app: Express): AppContext {
  const ctx = contexts.get(app);
  if (!ctx) throw new Error('Not an app built by createApp');
  return ctx;
}

/**
 * The `node:http` request listener: fast routes are answered directly (request id, metrics and the access log still
 * apply), everything else goes through Express.
 */
export function createRequestListener(app: Express): RequestListener {
  const ctx = contextOf(app);
  const securityHeaders = securityHeadersFor(ctx.config);
  return (req: IncomingMessage, res: ServerResponse) => {
    req.securityHeaders = securityHeaders;
    const path = pathOf(req.url);
    const handler = ctx.fast.match(req.method, path);
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
