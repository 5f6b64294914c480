import type { IncomingMessage } from 'node:http';
import { AppError } from '../errors.js';
import type { AppContext } from '../http/context.js';
import { requestMeta } from '../http/request-meta.js';
import type { BudgetState, CredentialBudget } from '../rate-limit/credential-budget.js';
import type { FailedAuthGuard } from '../rate-limit/failed-auth-guard.js';
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

/** Finds a credential in a place only forward auth looks at (e.g. a WebSocket ticket in the upgrade's query). */
export type ForwardAuthSource = (req: IncomingMessage) => PresentedCredential | undefined;

export interface AuthenticatorOptions {
  /** Counts failed checks per address and refuses blocked addresses (429). */
  readonly guard: FailedAuthGuard;
  /** Charges each authenticated request to its credential's budget (429 when spent). */
  readonly budget: CredentialBudget;
  /** The credential kinds, asked in this order: the first whose source and shape match decides. */
  readonly resolvers: readonly CredentialResolver[];
  /**
   * Places a credential may be presented to forward auth ONLY (`authenticate(req, { forwardAuth: true })`, i.e.
   * `GET /auth/verify`). Looked at before the ordinary places; a credential found there alone decides. Keep them
   * cheap: they run on the hot path. Default none.
   */
  readonly forwardAuthSources?: readonly ForwardAuthSource[];
}

/**
 * THE way the runtime answers "who is this": the credential resolvers plus `authenticate(req)`, used by the route
 * layer and by handlers that read the credential themselves (`/auth/verify`) alike. The composition root builds the
 * one instance of an app and decides the order of its resolvers.
 */
export class Authenticator {
  readonly #ctx: AppContext;
  readonly #resolvers: readonly CredentialResolver[];
  readonly #guard: FailedAuthGuard;
  readonly #budget: CredentialBudget;
  readonly #forwardAuthSources: readonly ForwardAuthSource[];

  constructor(ctx: AppContext, options: AuthenticatorOptions) {
    const names = options.resolvers.map((r) => r.name);
    const repeated = names.find((name, i) => names.indexOf(name) !== i);
    if (repeated !== undefined) throw new Error(`Two credential resolvers are named "${repeated}"`);
    this.#ctx = ctx;
    this.#resolvers = options.resolvers;
    this.#guard = options.guard;
    this.#budget = options.budget;
    this.#forwardAuthSources = options.forwardAuthSources ?? [];
  }

  /**
   * Resolves the request's credential (`access_token` cookie, else `Authorization: Bearer`, else `X-API-Key`) to a
   * principal, or throws 401 `unauthorized` / `token_expired`, or 429 `rate_limited` for an address that failed too
   * often or a credential over its request budget (charged here, once per request). Memoized on the request.
   * `forwardAuth` (only `GET /auth/verify`) also looks at the forward-auth-only places first (`forwardAuthSources`).
   */
  async authenticate(req: IncomingMessage, options: { readonly forwardAuth?: boolean } = {}): Promise<Principal> {
    if (req.principal) return req.principal;
    const { ip, userAgent } = requestMeta(req);
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
    const request: AuthRequest = { req, ip, userAgent };
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
