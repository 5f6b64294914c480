import type { AppContext } from '../../http/context.js';
import type { InvalidationBus } from '../../invalidation/bus.js';
import { type BusWiredCredential, busWiredCredential } from '../bus-wired-credential.js';
import { ClientAuthenticator } from './client-authenticator.js';
import { clientAuthSource } from './client-records.js';
import { ClientService } from './client-service.js';

/** Invalidation-bus topic: an API client was deleted or its secrets changed; the key is its client_id. */
export const API_CLIENT_CHANGED_TOPIC = 'api_client.changed';

/** The API-client service, and the authenticator of the token endpoint and of client-authenticated OAuth calls. */
export type ApiClients = BusWiredCredential<ClientAuthenticator, ClientService>;

/** A client deleted or its secrets changed on any replica is evicted from every replica's authenticator at once. */
export const createApiClients = (ctx: AppContext, bus: InvalidationBus): ApiClients =>
  busWiredCredential(ctx, bus, API_CLIENT_CHANGED_TOPIC, {
    source: clientAuthSource,
    checker: ClientAuthenticator,
    service: (options) => new ClientService(options),
  });
