import type { Redis } from 'ioredis';
import { adminRoutes } from './admin/admin-routes.js';
import { AuditRecords } from './audit/audit-records.js';
import { auditRoutes } from './audit/audit-routes.js';
import { AuditService } from './audit/audit-service.js';
import { AccessTokenDenylist } from './auth/access-token-denylist.js';
import { AccessTokenResolver } from './auth/access-token-resolver.js';
import { Authenticator } from './auth/authenticator.js';
import { meRoutes } from './auth/me-route.js';
import type { CredentialResolver } from './auth/resolver.js';
import { entraJwtResolver } from './auth/resolvers/entra-jwt.js';
import { teamTokenResolver } from './auth/resolvers/team-token.js';
import { verifyRoutes } from './auth/verify-route.js';
import { ApiKeyRecords } from './credentials/api-keys/api-key-records.js';
import { ApiKeyResolver } from './credentials/api-keys/api-key-resolver.js';
import { apiKeyRoutes } from './credentials/api-keys/api-key-routes.js';
import { ApiKeyService } from './credentials/api-keys/api-key-service.js';
import { type ApiClients, createApiClients } from './credentials/clients/api-clients.js';
import { clientRoutes } from './credentials/clients/client-routes.js';
import { EntraJwtVerifier } from './credentials/entra/entra-jwt-verifier.js';
import { teamTokenRoutes } from './credentials/team-tokens/team-token-routes.js';
import { createTeamTokens, type TeamTokens } from './credentials/team-tokens/team-tokens.js';
import type { AppContext } from './http/context.js';
import { FastRouter } from './http/fast-router.js';
import { OpenApiRegistry } from './http/openapi.js';
import type { AnyRoute } from './http/route.js';
import { InvalidationBus } from './invalidation/bus.js';
import { announceSigningKeyChanges } from './keys/signing-key-notices.js';
import { LocalLogin } from './local-login/local-login.js';
import { localLoginRoutes } from './local-login/local-login-routes.js';
import { clientCredentialsGrant } from './oauth/grants/client-credentials.js';
import { GrantRegistry } from './oauth/grants.js';
import { introspectionRoutes } from './oauth/introspection-endpoint.js';
import { accessTokenKind } from './oauth/kinds/access-token-kind.js';
import { apiKeyKind } from './oauth/kinds/api-key-kind.js';
import { entraJwtKind } from './oauth/kinds/entra-jwt-kind.js';
import { teamTokenKind } from './oauth/kinds/team-token-kind.js';
import { revocationRoutes } from './oauth/revocation-endpoint.js';
import { tokenRoutes } from './oauth/token-endpoint.js';
import { TokenKindRegistry } from './oauth/token-kinds.js';
import { OrgDirectory } from './orgs/org-directory.js';
import { orgRoutes } from './orgs/org-routes.js';
import { OrgService } from './orgs/org-service.js';
import { CredentialBudget } from './rate-limit/credential-budget.js';
import { FailedAuthGuard } from './rate-limit/failed-auth-guard.js';
import { connectRedis } from './rate-limit/redis-connection.js';
import { healthRoutes } from './routes/health.js';
import { operationsRoutes } from './routes/operations.js';
import { Readiness } from './routes/readiness.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { wellKnownRoutes } from './routes/well-known.js';
import { pruneRefreshTokensPeriodically } from './signin/prune-refresh-tokens.js';
import { refreshTokenKind } from './signin/refresh-token-kind.js';
import { createRefreshTokens, type RefreshTokens } from './signin/refresh-tokens.js';
import { RelyingParty } from './signin/relying-party.js';
import { SessionResolver } from './signin/session-resolver.js';
import { SessionService } from './signin/session-service.js';
import { SignInUsers } from './signin/sign-in-user.js';
import { signinRoutes } from './signin/signin-routes.js';
import { UserProfiles } from './users/user-profiles.js';
import { UserRecords } from './users/user-records.js';
import { UserService } from './users/user-service.js';
import { userRoutes } from './users/users-routes.js';
import { wsTicketRoutes } from './ws-ticket/issue-route.js';
import { presentedWsTicket } from './ws-ticket/presented-ticket.js';
import { WsTicketResolver } from './ws-ticket/ws-ticket-resolver.js';
import { WsTickets } from './ws-ticket/ws-ticket-store.js';

/** Every service of one runtime, built once by `composeServices`; route modules take the ones they need. */
export interface Services {
  /** Config, store, logger, clock, key ring, token service, metrics, audit writer and shutdown hooks. */
  readonly ctx: AppContext;
  /** The shared Redis connection for rate limits, or null without `REDIS_URL`. */
  readonly redis: Redis | null;
  /** Cache invalidation across replicas (PostgreSQL LISTEN/NOTIFY; in process on SQLite). */
  readonly bus: InvalidationBus;
  readonly guard: FailedAuthGuard;
  readonly budget: CredentialBudget;
  readonly denylist: AccessTokenDenylist;
  readonly orgs: { readonly records: OrgDirectory; readonly service: OrgService };
  readonly apiKeys: { readonly records: ApiKeyRecords; readonly service: ApiKeyService };
  readonly apiClients: ApiClients;
  readonly teamTokens: TeamTokens;
  readonly refreshTokens: RefreshTokens;
  readonly userProfiles: UserProfiles;
  readonly users: UserService;
  /** Refresh and logout of sign-in sessions. */
  readonly sessions: SessionService;
  /** Reads the audit trail (`ctx.audit` writes it). */
  readonly auditLog: AuditService;
  readonly wsTickets: WsTickets;
  /** The users browser sign-in finds or provisions. */
  readonly signInUsers: SignInUsers;
  /** The checks behind `/readyz`. */
  readonly readiness: Readiness;
  /** Only with `LOCAL_LOGIN_ENABLED=true`: it makes a dummy password hash at start-up. */
  readonly localLogin: LocalLogin | undefined;
  /** Only with an IdP configured (`OIDC_ISSUER`): browser sign-in. */
  readonly relyingParty: RelyingParty | undefined;
  readonly auth: Authenticator;
  readonly grants: GrantRegistry;
  readonly tokenKinds: TokenKindRegistry;
  /** The operations every route declares; `/openapi.json` renders them. */
  readonly openapi: OpenApiRegistry;
  /** The hot routes, served before Express. */
  readonly fast: FastRouter;
}

/**
 * THE composition root: builds every service of a runtime from its context, in dependency order, and decides the
 * order of the credential resolvers, the token kinds and the grant types. Nothing else creates a service or
 * registers into one. Timers and connections it starts are closed by `ctx.onClose` on shutdown.
 */
export function composeServices(ctx: AppContext): Services {
  const { config } = ctx;
  const redis = connectRedis(ctx);
  const bus = new InvalidationBus(ctx);
  ctx.onClose.push(() => bus.close());
  announceSigningKeyChanges(ctx, bus);

  const guard = new FailedAuthGuard(ctx, redis);
  const budget = new CredentialBudget(ctx, redis);
  const denylist = new AccessTokenDenylist(ctx, bus);
  const orgRecords = new OrgDirectory(ctx.store, ctx.clock);
  const orgs = { records: orgRecords, service: new OrgService({ orgs: orgRecords, audit: ctx.audit }) };
  const apiKeyRecords = new ApiKeyRecords(ctx.store, ctx.clock);
  const apiKeys = { records: apiKeyRecords, service: new ApiKeyService(ctx, apiKeyRecords, bus) };
  const apiClients = createApiClients(ctx, bus);
  const teamTokens = createTeamTokens(ctx, bus, orgRecords);
  const refreshTokens = createRefreshTokens(ctx);
  pruneRefreshTokensPeriodically(ctx, refreshTokens);
  const userProfiles = new UserProfiles(ctx, bus);
  const userRecords = new UserRecords(ctx.store, ctx.clock);
  const users = new UserService(ctx, { records: userRecords, profiles: userProfiles });
  const sessions = new SessionService(ctx, { refreshTokens, users: userRecords, denylist });
  const auditLog = new AuditService(new AuditRecords(ctx.store));
  const wsTickets = new WsTickets(ctx);
  const signInUsers = new SignInUsers({ store: ctx.store, clock: ctx.clock, catalog: config.catalog });
  const readiness = new Readiness(ctx);
  const localLogin = config.localLogin.enabled ? new LocalLogin(ctx) : undefined;
  const relyingParty = config.oidc ? new RelyingParty(config.oidc, config.isProduction) : undefined;
  const entra = config.oidc
    ? new EntraJwtVerifier({
        issuer: config.oidc.issuer,
        audience: config.oidc.audience,
        v1Issuer: config.oidc.v1Issuer,
        appIdUri: config.oidc.appIdUri,
        clock: ctx.clock,
        logger: ctx.logger,
      })
    : undefined;

  const accessTokens = new AccessTokenResolver(ctx, denylist);
  const apiKeyResolver = new ApiKeyResolver(ctx, apiKeyRecords, bus);
  // The order credential resolvers are asked in; the first whose source and shape match decides. Sessions come before
  // the generic access-token resolver: they also take our JWTs from the cookie, to check the Origin of unsafe
  // methods and add the user's e-mail and name.
  const resolvers: CredentialResolver[] = [
    new SessionResolver(ctx, accessTokens, userProfiles),
    accessTokens,
    apiKeyResolver,
    teamTokenResolver(ctx, teamTokens.checker),
    ...(entra ? [entraJwtResolver(ctx, entra)] : []),
    new WsTicketResolver(ctx, wsTickets),
  ];
  const auth = new Authenticator(ctx, {
    guard,
    budget,
    resolvers,
    // WebSocket tickets are redeemed by GET /auth/verify only.
    forwardAuthSources: [presentedWsTicket],
  });
  const clientAuth = { guard, clients: apiClients.checker };

  // The grant types of POST /oauth2/token.
  const grants = new GrantRegistry({ client_credentials: clientCredentialsGrant(ctx, clientAuth) });
  // The token kinds /oauth2/introspect and /oauth2/revoke ask, in this order (a matching token_type_hint goes first).
  const tokenKinds = new TokenKindRegistry([
    ...(entra ? [entraJwtKind(ctx, entra)] : []),
    accessTokenKind(ctx, denylist),
    teamTokenKind(teamTokens),
    apiKeyKind(ctx, { resolver: apiKeyResolver, ...apiKeys }),
    refreshTokenKind(ctx, refreshTokens),
  ]);

  return {
    ctx,
    redis,
    bus,
    guard,
    budget,
    denylist,
    orgs,
    apiKeys,
    apiClients,
    teamTokens,
    refreshTokens,
    userProfiles,
    users,
    sessions,
    auditLog,
    wsTickets,
    signInUsers,
    readiness,
    localLogin,
    relyingParty,
    auth,
    grants,
    tokenKinds,
    openapi: new OpenApiRegistry(),
    fast: new FastRouter(),
  };
}

/**
 * THE route table: every route the runtime serves, in the order Express matches them, each module handed the services
 * it needs. `mountRoutes` serves them and documents them in `/openapi.json`.
 */
export function routeTable(services: Services): AnyRoute[] {
  const { ctx, auth, apiKeys, apiClients, teamTokens, orgs, refreshTokens, guard, tokenKinds } = services;
  const callers = { auth, guard, clients: apiClients.checker };
  return [
    ...healthRoutes(services.readiness),
    ...wellKnownRoutes(ctx),
    ...operationsRoutes(services.openapi, ctx.config.publicUrl),
    ...signingKeyRoutes(ctx),
    ...meRoutes(),
    ...verifyRoutes(auth),
    ...apiKeyRoutes(apiKeys.service),
    ...auditRoutes(services.auditLog),
    ...orgRoutes(orgs.service, teamTokens.service),
    ...teamTokenRoutes(teamTokens.service, orgs.service),
    ...clientRoutes(ctx, apiClients.service),
    ...tokenRoutes(services.grants),
    ...introspectionRoutes(ctx, tokenKinds, callers),
    ...revocationRoutes(ctx, tokenKinds, callers),
    ...signinRoutes({
      ctx,
      rp: services.relyingParty,
      refreshTokens,
      sessions: services.sessions,
      users: services.signInUsers,
    }),
    ...(services.localLogin ? localLoginRoutes(ctx, { login: services.localLogin, guard, refreshTokens }) : []),
    ...userRoutes(services.users),
    ...adminRoutes(ctx, auth),
    ...wsTicketRoutes(ctx, services.wsTickets, services.redis),
  ];
}
