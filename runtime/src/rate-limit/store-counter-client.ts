import { CompiledQuery } from 'kysely';
import type { Store } from '../store/store.js';

/** The part of a `pg` client that rate-limiter-flexible's RateLimiterPostgres calls. */
export interface CounterQueryClient {
  query(query: { readonly text: string; readonly values?: readonly unknown[] }): Promise<{
    rows: unknown[];
    rowCount: number;
  }>;
}

/**
 * RateLimiterPostgres's client, served by the store's own query layer: its queries use the store's pool (and its
 * outage handling) instead of a second pool beside it. Statements arrive as PostgreSQL text with `$n` parameters.
 */
export function storeCounterClient(store: Store): CounterQueryClient {
  return {
    async query({ text, values = [] }) {
      const result = await store.db.executeQuery(CompiledQuery.raw(text, [...values]));
      return { rows: result.rows as unknown[], rowCount: Number(result.numAffectedRows ?? result.rows.length) };
    },
  };
}
