import { sql } from 'kysely';
import { postgresConnectionConfig } from '../azure/postgres-connection.js';
import type { AppContext } from '../http/context.js';
import type { Store } from '../store/store.js';
import { PostgresListener } from './postgres-listener.js';

/** What a cache does when told that something changed. */
export interface InvalidationHandler {
  /** One entry changed (revoked, rotated, deleted): drop it. */
  onKey(key: string): void;
  /** Notifications may have been missed (listener reconnecting): drop everything. */
  onReset(): void;
}

/** PostgreSQL channel all replicas LISTEN on; payloads are `{"t":topic,"k":key}`. */
export const INVALIDATION_CHANNEL = 'gatehouse_invalidation';
/** PostgreSQL limits NOTIFY payloads to 8000 bytes; keys are ids, far below. */
const MAX_PAYLOAD_BYTES = 7900;

/**
 * Cross-replica cache invalidation. `publish(topic, key)` tells every subscriber of `topic` in this process at once
 * and, on PostgreSQL, every other replica through NOTIFY (delivered in milliseconds). On SQLite it is process-local
 * (replicas sharing a SQLite file are bounded by each cache's TTL). While the LISTEN connection is down `healthy` is
 * false and every subscriber is reset on disconnect and again on reconnect, so caches never serve entries across a
 * gap in which a revocation could have been missed.
 */
export class InvalidationBus {
  readonly #ctx: AppContext;
  readonly #topics = new Map<string, Set<InvalidationHandler>>();
  readonly #listener: PostgresListener | undefined;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
    const database = ctx.config.database;
    if (database.kind === 'postgres') {
      this.#listener = new PostgresListener({
        connection: postgresConnectionConfig(database),
        channel: INVALIDATION_CHANNEL,
        logger: ctx.logger,
        onMessage: (payload) => this.#receive(payload),
        onGap: () => this.#resetAll(),
      });
      this.#listener.start();
    }
  }

  /** False while cross-replica delivery is interrupted; caches should not add entries then. */
  get healthy(): boolean {
    return this.#listener ? this.#listener.listening : true;
  }

  /** Resolves once cross-replica delivery works (at once on SQLite). */
  ready(): Promise<void> {
    return this.#listener ? this.#listener.ready() : Promise.resolve();
  }

  subscribe(topic: string, handler: InvalidationHandler): () => void {
    let handlers = this.#topics.get(topic);
    if (!handlers) {
      handlers = new Set();
      this.#topics.set(topic, handlers);
    }
    handlers.add(handler);
    return () => handlers.delete(handler);
  }

  /** Invalidates `key` of `topic` here at once and on every other replica. */
  async publish(topic: string, key: string): Promise<void> {
    this.#deliver(topic, key);
    await notifyReplicas(this.#ctx.store, topic, key);
  }

  async close(): Promise<void> {
    await this.#listener?.stop();
  }

  #receive(payload: string): void {
    try {
      const { t, k } = JSON.parse(payload) as { t?: unknown; k?: unknown };
      if (typeof t === 'string' && typeof k === 'string') this.#deliver(t, k);
    } catch {
      this.#ctx.logger.warn('ignored a malformed invalidation notification');
    }
  }

  #deliver(topic: string, key: string): void {
    for (const handler of this.#topics.get(topic) ?? []) handler.onKey(key);
  }

  #resetAll(): void {
    for (const handlers of this.#topics.values()) for (const handler of handlers) handler.onReset();
  }
}

/**
 * Tells every replica's subscribers of `topic` that `key` changed (PostgreSQL NOTIFY), from any process on the store,
 * e.g. the CLI. Not this process's own subscribers: `InvalidationBus.publish` delivers to those. No-op on SQLite.
 */
export async function notifyReplicas(store: Store, topic: string, key: string): Promise<void> {
  if (store.dialect !== 'postgres') return;
  const payload = JSON.stringify({ t: topic, k: key });
  if (Buffer.byteLength(payload) > MAX_PAYLOAD_BYTES) throw new Error(`Invalidation key of ${topic} is too long`);
  await sql`select pg_notify(${INVALIDATION_CHANNEL}, ${payload})`.execute(store.db);
}
