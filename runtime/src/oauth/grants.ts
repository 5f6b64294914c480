import type { IncomingMessage } from 'node:http';
import { perApp } from '../credentials/per-app.js';
import type { AppContext } from '../http/context.js';

/** The successful token response (RFC 6749 5.1). */
export interface TokenResponse {
  readonly access_token: string;
  readonly token_type: 'Bearer';
  readonly expires_in: number;
  readonly scope: string;
  readonly refresh_token?: string;
}

/**
 * One `grant_type` of `POST /oauth2/token`, in a file of its own. It gets the parsed form and answers the token
 * response or throws an `OAuthError`. It authenticates the client itself (some grants need a client, some do not).
 */
export type GrantHandler = (req: IncomingMessage, form: ReadonlyMap<string, string>) => Promise<TokenResponse>;

/** The grant types `POST /oauth2/token` accepts in one app; the token endpoint dispatches on `grant_type`. */
export class GrantRegistry {
  readonly #grants = new Map<string, GrantHandler>();

  register(grantType: string, handler: GrantHandler): void {
    if (this.#grants.has(grantType)) throw new Error(`Grant type ${grantType} is already registered`);
    this.#grants.set(grantType, handler);
  }

  get(grantType: string): GrantHandler | undefined {
    return this.#grants.get(grantType);
  }

  types(): string[] {
    return [...this.#grants.keys()];
  }
}

/** The app's grant registry (created on first use): another module may add a grant type (e.g. `refresh_token`) here. */
export const grantsOf = perApp((_ctx: AppContext) => new GrantRegistry());
