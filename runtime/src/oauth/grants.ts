import type { IncomingMessage } from 'node:http';

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

/**
 * The grant types `POST /oauth2/token` accepts, by `grant_type` value; the token endpoint dispatches on it. The
 * composition root lists them.
 */
export class GrantRegistry {
  readonly #grants: ReadonlyMap<string, GrantHandler>;

  constructor(grants: Readonly<Record<string, GrantHandler>>) {
    this.#grants = new Map(Object.entries(grants));
  }

  get(grantType: string): GrantHandler | undefined {
    return this.#grants.get(grantType);
  }

  types(): string[] {
    return [...this.#grants.keys()];
  }
}
