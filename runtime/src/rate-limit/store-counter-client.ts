import { CompiledQuery } from 'kysely';
import type { Logger } from 'pino';
import type { Store } from '../store/store.js';

/** The part of a `pg` client that rate-limiter-flexible's RateLimiterPostgres calls. */
export interface CounterQueryClient {
  query(query: { readonly text: string; readonly values?: readonly unknown[] }): Promise<{
    rows: unknown[];
    rowCount: number;
  }>;
}

export interface CounterClientOptions {
  /** A count the store has not answered within this many ms fails (the limiter then counts in process). Default 1000. */
  readonly timeoutMs?: number;
  /** After a failure, counts fail at once for this many ms instead of waiting on the store again. Default 5000. */
  readonly pauseMs?: number;
  readonly logger?: Logger;
}

/**
 * RateLimiterPostgres's client, served by the store's own query layer: its queries use the store's pool (and its
 * outage handling) instead of a second pool beside it. Statements arrive as PostgreSQL text with `$n` parameters.
 * While the store fails or hangs, counts fail fast (the limiter's in-process insurance answers): an outage of
 * PostgreSQL never makes a request wait on a shared count for more than `timeoutMs` once per `pauseMs`.
 */
export function storeCounterClient(store: Store, options: CounterClientOptions = {}): CounterQueryClient {
  const timeoutMs = options.timeoutMs ?? 1000;
  const pauseMs = options.pauseMs ?? 5000;
  let pausedUntil = 0;
  return {
    async query({ text, values = [] }) {
      if (Date.now() < pausedUntil) throw new Error('shared counts are paused after a store failure');
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`the store did not answer a count within ${timeoutMs} ms`)),
          timeoutMs,
        );
      });
      try {
        const result = await Promise.race([store.db.executeQuery(CompiledQuery.raw(text, [...values])), timeout]);
        return { rows: result.rows as unknown[], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
      } catch (error) {
        if (Date.now() >= pausedUntil) {
          options.logger?.warn({ err: error }, 'shared request counts unavailable; counting in process for a while');
        }
        pausedUntil = Date.now() + pauseMs;
        throw error;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
