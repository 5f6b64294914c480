import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import { busBoundChecker } from '../cache/credential-lookup.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { ClientService } from './client-service.js';

/** Invalidation-bus topic: an API client was deleted or its secrets changed; the key is its client_id. */
export const API_CLIENT_CHANGED_TOPIC = 'api_client.changed';

export interface ApiClients {
  readonly service: ClientService;
  readonly authenticator: ClientAuthenticator;
}

/**
 * The API-client service and its hot-path authenticator, wired to the invalidation bus: a change published on any
 * replica evicts the client from every replica's cache. The cache TTL is `API_KEY_CACHE_TTL_SECONDS` (default 30 s),
 * the one setting for every credential cache.
 */
export function createApiClients(ctx: AppContext, bus: InvalidationBus): ApiClients {
  const authenticator = busBoundChecker(ctx, bus, API_CLIENT_CHANGED_TOPIC, (o) => new ClientAuthenticator(o));
  const service = new ClientService({
    store: ctx.store,
    clock: ctx.clock,
    pepper: ctx.config.apiKeyPepper,
    catalog: ctx.config.catalog,
    audit: ctx.audit,
    onChange: (clientId) => bus.publish(API_CLIENT_CHANGED_TOPIC, clientId),
  });
  return { service, authenticator };
}
