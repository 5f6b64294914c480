import type { Catalog } from '../../../catalog/index.js';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Clock } from '../clock.js';
import type { AppContext } from '../http/context.js';
import type { InvalidationBus } from '../invalidation/bus.js';
import type { SecretBytes } from '../secret-bytes.js';
import type { Store } from '../store/store.js';
import { busBoundLookup, type CredentialLookup, type CredentialSource } from './cache/credential-lookup.js';
import { SecretMatcher } from './secret-matcher.js';

/** What a credential kind's hot-path checker is built from. */
export interface CredentialCheckerParts<V extends NonNullable<unknown>> {
  /** The kind's credentials by public id, cached, and evicted on every replica through the invalidation bus. */
  readonly lookup: CredentialLookup<V>;
  /** Which stored secret hash a presented secret is (constant time, memoised per cached credential). */
  readonly secrets: SecretMatcher;
  readonly clock: Clock;
}

/** What a credential kind's management service (issue, list, revoke; every change audited) is built from. */
export interface CredentialServiceOptions {
  readonly store: Store;
  readonly clock: Clock;
  readonly pepper: SecretBytes;
  readonly catalog: Catalog;
  readonly audit: AuditWriter;
  /**
   * Called after a credential was revoked, deleted or its secrets changed, with its public id: drops it from the
   * checker's cache on every replica.
   */
  readonly onChange: (id: string) => Promise<void> | void;
}

/** A credential kind's management service and the checker that answers for its credentials on the hot path. */
export interface BusWiredCredential<C, S> {
  readonly checker: C;
  readonly service: S;
}

/**
 * Builds a credential kind's service and checker tied by one invalidation-bus topic: the service announces each
 * change on `topic`, and every replica's checker (this one included) drops that credential from its cache at once.
 * The cache TTL (`API_KEY_CACHE_TTL_SECONDS`) bounds a lost notice.
 */
export function busWiredCredential<V extends NonNullable<unknown>, C, S>(
  ctx: AppContext,
  bus: InvalidationBus,
  topic: string,
  kind: {
    readonly source: (store: Store) => CredentialSource<V>;
    readonly checker: new (parts: CredentialCheckerParts<V>) => C;
    readonly service: (options: CredentialServiceOptions) => S;
  },
): BusWiredCredential<C, S> {
  const { store, clock, audit } = ctx;
  const pepper = ctx.config.apiKeyPepper;
  const lookup = busBoundLookup(ctx, bus, topic, kind.source(store));
  return {
    checker: new kind.checker({ lookup, secrets: new SecretMatcher(pepper), clock }),
    service: kind.service({
      store,
      clock,
      pepper,
      catalog: ctx.config.catalog,
      audit,
      onChange: (id) => bus.publish(topic, id),
    }),
  };
}
