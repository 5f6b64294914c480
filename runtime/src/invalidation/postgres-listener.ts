import pg from 'pg';
import type { Logger } from 'pino';

export interface PostgresListenerOptions {
  /** Connection settings, as the store's pool uses them (password function for managed identity included). */
  readonly connection: pg.ClientConfig;
  readonly channel: string;
  readonly logger: Logger;
  readonly onMessage: (payload: string) => void;
  /** Called when notifications may have been missed: on losing the connection and after re-establishing it. */
  readonly onGap: () => void;
}

/** First reconnect delay in ms; doubles per failed attempt up to `MAX_RETRY_MS`. */
const FIRST_RETRY_MS = 250;
const MAX_RETRY_MS = 10_000;

/**
 * One dedicated connection doing `LISTEN <channel>` (a pooled connection cannot: LISTEN is per session). Reconnects
 * with backoff; reports every gap so subscribers can drop what they may have missed.
 */
export class PostgresListener {
  readonly #o: PostgresListenerOptions;
  #client: pg.Client | undefined;
  #listening = false;
  #stopped = false;
  #retryMs = FIRST_RETRY_MS;
  #timer: NodeJS.Timeout | undefined;
  #waiters: Array<() => void> = [];

  constructor(options: PostgresListenerOptions) {
    this.#o = options;
  }

  get listening(): boolean {
    return this.#listening;
  }

  ready(): Promise<void> {
    if (this.#listening) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  start(): void {
    void this.#connect();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    this.#listening = false;
    const client = this.#client;
    this.#client = undefined;
    await client?.end().catch(() => {});
  }

  async #connect(): Promise<void> {
    if (this.#stopped) return;
    const client = new pg.Client(this.#o.connection);
    this.#client = client;
    client.on('notification', (message) => {
      if (message.channel === this.#o.channel && message.payload !== undefined) this.#o.onMessage(message.payload);
    });
    client.on('error', (error) => this.#lost(client, error));
    client.on('end', () => this.#lost(client, undefined));
    try {
      await client.connect();
      await client.query(`LISTEN ${this.#o.channel}`);
    } catch (error) {
      this.#lost(client, error);
      return;
    }
    if (this.#stopped || this.#client !== client) return;
    this.#listening = true;
    this.#retryMs = FIRST_RETRY_MS;
    // Anything published while we were not listening is unknown to us.
    this.#o.onGap();
    for (const resolve of this.#waiters.splice(0)) resolve();
  }

  #lost(client: pg.Client, error: unknown): void {
    if (this.#client !== client) return;
    this.#client = undefined;
    const wasListening = this.#listening;
    this.#listening = false;
    client.end().catch(() => {});
    if (this.#stopped) return;
    if (wasListening) {
      this.#o.logger.warn({ err: error }, 'invalidation listener lost its connection; caches reset, reconnecting');
      this.#o.onGap();
    }
    this.#timer = setTimeout(() => void this.#connect(), this.#retryMs);
    this.#timer.unref();
    this.#retryMs = Math.min(this.#retryMs * 2, MAX_RETRY_MS);
  }
}
