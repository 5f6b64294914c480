import type { AppContext } from '../http/context.js';

/** What `/readyz` reports: the store answers, and an active signing key is loaded. */
export interface ReadinessChecks {
  readonly store: 'ok' | 'unreachable';
  readonly signing_key: 'ok' | 'missing';
}

/** The checks behind `/readyz`: a store round trip and the key ring's state. */
export class Readiness {
  readonly #ctx: AppContext;

  constructor(ctx: AppContext) {
    this.#ctx = ctx;
  }

  async check(): Promise<ReadinessChecks> {
    const store = await this.#ctx.store.ping().then(
      () => 'ok' as const,
      (error: unknown) => {
        this.#ctx.logger.warn({ err: error }, 'readiness: store unreachable');
        return 'unreachable' as const;
      },
    );
    return { store, signing_key: this.#ctx.keys.ready ? 'ok' : 'missing' };
  }
}
