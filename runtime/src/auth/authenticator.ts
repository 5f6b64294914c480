import type { IncomingMessage } from 'node:http';
import { perApp } from '../credentials/per-app.js';
import { AppError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { clientAddress, type TrustProxyFn } from '../rate-limit/client-address.js';
import { type BudgetState, type CredentialBudget, credentialBudgetFor } from '../rate-limit/credential-budget.js';
import { type FailedAuthGuard, failedAuthGuardFor } from '../rate-limit/failed-auth-guard.js';
import { type PresentedCredential, presentedCredential } from './presented-credential.js';
import type { Principal } from './principal.js';
import { type AuthRequest, type CredentialResolver, NON_GUESSING_REASONS } from './resolver.js';

declare module 'node:http' {
  interface IncomingMessage {
    /** Set by `authenticate` once the request's credential resolved. */
    principal?: Principal;
    /** Set by `authenticate`: the credential's request budget after this request; undefined when unlimited. */
    requestBudget?: BudgetState;
  }
}

/** Sent with every 401 so clients and gateways know which scheme to use. */
const WWW_AUTHENTICATE = 'Bearer realm="gatehouse"';

/**
 * THE way the runtime answers "who is this": the credential registry plus `authenticate(req)`, used by the Express
 * middleware (`requireAuth`, `requirePermission`) and by fast routes (`/auth/verify`) alike. One instance per app:
 * get it with `authOf(ctx)`; credential modules `register` their resolvers when their routes are registered.
 */
export class Authenticator {
  readonly #ctx: AppContext;
  readonly #resolvers: CredentialResolver[] = [];
  readonly #guard: FailedAuthGuard;
  readonly #budget: CredentialBudget;
  readonly #forwardAuthSources: Array<(req: IncomingMessage) => PresentedCredential | undefined> = [];
  #trustProxy: TrustProxyFn | undefined;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    this.#guard = failedAuthGuardFor(ctx);
    this.#budget = credentialBudgetFor(ctx);
  }

  /**
   * Adds a credential kind. Resolvers are asked in registration order; `{ first: true }` puts this one ahead of those
   * already registered (e.g. a session resolver that enriches our own JWTs with the user's email and name).
   */
  register(resolver: CredentialResolver, options: { first?: boolean } = {}): void {
    if (this.#resolvers.some((r) => r.name === resolver.name)) {
      throw new Error(`A credential resolver named "${resolver.name}" is already registered`);
    }
    if (options.first) this.#resolvers.unshift(resolver);
    else this.#resolvers.push(resolver);
  }

  /**
   * Adds a place where a credential may be presented to forward auth ONLY (`authenticate(req, { forwardAuth: true })`,
   * i.e. `GET /auth/verify`), e.g. a WebSocket ticket in the upgrade request's query. Looked at before the ordinary
   * places; when it finds a credential, that credential alone decides. Keep `find` cheap: it runs on the hot path.
   */
  addForwardAuthSource(find: (req: IncomingMessage) => PresentedCredential | undefined): void {
    this.#forwardAuthSources.push(find);
  }

  resolvers(): readonly CredentialResolver[] {
    return this.#resolvers;
  }

  /** Express's compiled `trust proxy` rule, so fast routes see the same client address as `req.ip`. */
  useTrustProxy(trust: TrustProxyFn | undefined): void {
    this.#trustProxy = trust;
  }

  /** The caller's address as rate limits and audit rows see it. */
  clientAddress(req: IncomingMessage): string {
    return clientAddress(req, this.#trustProxy);
  }

  /**
   * Resolves the request's credential (`access_token` cookie, else `Authorization: Bearer`, else `X-API-Key`) to a
   * principal, or throws 401 `unauthorized` / `token_expired`, or 429 `rate_limited` for an address that failed too
   * often or a credential over its request budget (charged here, once per request). Memoized on the request.
   * `forwardAuth` (only `GET /auth/verify`) also looks at the forward-auth-only places first (`addForwardAuthSource`).
   */
  async authenticate(req: IncomingMessage, options: { readonly forwardAuth?: boolean } = {}): Promise<Principal> {
    if (req.principal) return req.principal;
    const ip = this.clientAddress(req);
    this.#guard.assertNotBlocked(ip);
    const presented = (options.forwardAuth ? this.#forwardAuthCredential(req) : undefined) ?? presentedCredential(req);
    if (!presented) {
      this.#ctx.metrics.recordAuth('none', 'failure', 'missing');
      throw challenge(new AppError('unauthorized', 'Authentication required', { reason: 'missing' }));
    }
    const resolver = this.#resolvers.find(
      (r) => r.sources.includes(presented.source) && r.matches(presented.value, presented.source),
    );
    if (!resolver) {
      this.#ctx.metrics.recordAuth('unrecognized', 'failure', 'malformed');
      throw await this.#failed(ip, new AppError('unauthorized', 'Invalid credential', { reason: 'malformed' }));
    }
    const ua = req.headers['user-agent'];
    const request: AuthRequest = { req, ip, userAgent: typeof ua === 'string' ? ua.slice(0, 512) : null };
    let principal: Principal;
    try {
      principal = await resolver.resolve(presented.value, request);
    } catch (error) {
      const reason = (error as AppError).reason ?? 'unknown';
      this.#ctx.metrics.recordAuth(resolver.name, 'failure', reason);
      throw await this.#failed(ip, error);
    }
    req.requestBudget = await this.#budget.charge(principal).catch((error: unknown) => {
      this.#ctx.metrics.recordAuth(resolver.name, 'failure', 'rate_limited');
      throw error;
    });
    this.#ctx.metrics.recordAuth(resolver.name, 'success');
    req.principal = principal;
    return principal;
  }

  #forwardAuthCredential(req: IncomingMessage): PresentedCredential | undefined {
    for (const find of this.#forwardAuthSources) {
      const presented = find(req);
      if (presented) return presented;
    }
    return undefined;
  }

  /** Counts a guessing failure toward the address's limit; answers 429 instead once the address is over it. */
  async #failed(ip: string, error: unknown): Promise<unknown> {
    if (!(error instanceof AppError) || error.status !== 401) return error;
    if (!NON_GUESSING_REASONS.has(error.reason ?? '')) {
      const limited = await this.#guard.recordFailure(ip).catch((cause: unknown) => {
        this.#ctx.logger.error({ err: cause }, 'failed-authentication counter unavailable');
        return undefined;
      });
      if (limited) return limited;
    }
    return challenge(error);
  }
}

/** Adds `WWW-Authenticate` to a 401 (RFC 6750 `invalid_token` for a credential that was presented). */
function challenge(error: AppError): AppError {
  if (error.headers['WWW-Authenticate']) return error;
  const value = error.reason === 'missing' ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`;
  return new AppError(error.code, error.message, {
    headers: { ...error.headers, 'WWW-Authenticate': value },
    reason: error.reason,
    cause: error,
  });
}

/** The app's authenticator (created on first use). */
export const authOf = perApp((ctx) => new Authenticator(ctx));
