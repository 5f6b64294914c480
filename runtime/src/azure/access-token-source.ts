import type { AccessToken, TokenCredential } from '@azure/identity';
import { type Clock, systemClock } from '../clock.js';

/** Refresh this long before a token expires, in seconds. Default 300 (5 minutes; Entra tokens live 1-24 hours). */
export const DEFAULT_REFRESH_MARGIN_SECONDS = 300;

export interface AccessTokenSourceOptions {
  /** Where tokens come from (a `ManagedIdentityCredential` in production). */
  readonly credential: TokenCredential;
  /** The `.default` scope of the resource, e.g. `https://ossrdbms-aad.database.windows.net/.default`. */
  readonly scope: string;
  /** Default: the system clock. */
  readonly clock?: Clock;
  /** Seconds before expiry at which the next caller fetches a new token. Default 300. */
  readonly refreshMarginSeconds?: number;
}

/**
 * One access token for one scope, fetched on first use and refreshed `refreshMarginSeconds` before it expires (or at
 * the credential's `refreshAfterTimestamp`, whichever is earlier). Concurrent callers share one fetch. When a refresh
 * fails while the current token is still valid, callers keep getting the current token and the next call retries;
 * once it has expired, the error propagates. The token is never logged or put in an error message.
 */
export class AccessTokenSource {
  readonly #credential: TokenCredential;
  readonly #scope: string;
  readonly #clock: Clock;
  readonly #marginMs: number;
  #current: AccessToken | undefined;
  #pending: Promise<AccessToken> | undefined;

  constructor(options: AccessTokenSourceOptions) {
    this.#credential = options.credential;
    this.#scope = options.scope;
    this.#clock = options.clock ?? systemClock;
    this.#marginMs = (options.refreshMarginSeconds ?? DEFAULT_REFRESH_MARGIN_SECONDS) * 1000;
  }

  /** A token valid for at least the refresh margin (or the last valid one while a refresh fails). */
  async getToken(): Promise<string> {
    const now = this.#clock.now();
    const current = this.#current;
    if (current && now < this.#refreshAt(current)) return current.token;
    try {
      return (await this.#fetchOnce()).token;
    } catch (error) {
      if (current && now < current.expiresOnTimestamp) return current.token;
      throw error;
    }
  }

  #refreshAt(token: AccessToken): number {
    const byMargin = token.expiresOnTimestamp - this.#marginMs;
    return token.refreshAfterTimestamp ? Math.min(byMargin, token.refreshAfterTimestamp) : byMargin;
  }

  #fetchOnce(): Promise<AccessToken> {
    this.#pending ??= (async () => {
      try {
        const token = await this.#credential.getToken(this.#scope);
        if (!token) throw new Error(`The managed identity returned no token for ${this.#scope}`);
        this.#current = token;
        return token;
      } finally {
        this.#pending = undefined;
      }
    })();
    return this.#pending;
  }
}
