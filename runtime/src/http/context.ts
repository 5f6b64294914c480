import type { RequestHandler } from 'express';
import type { Logger } from 'pino';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { Store } from '../store/store.js';
import type { TokenService } from '../tokens/access-tokens.js';
import type { FastRouter } from './fast-router.js';
import type { Metrics } from './metrics.js';
import type { OpenApiRegistry } from './openapi.js';

/** Everything a feature module needs, built once by `createApp` and handed to every `register...Routes`. */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly tokens: TokenService;
  readonly metrics: Metrics;
  readonly audit: AuditWriter;
  /** Register every route's request/response schemas here; `/openapi.json` is generated from it. */
  readonly openapi: OpenApiRegistry;
  /** Hot-path routes served before Express (see `FastRouter`). */
  readonly fast: FastRouter;
  /** Body parsers to mount per route (never globally): JSON and form (`application/x-www-form-urlencoded`). */
  readonly parse: { readonly json: RequestHandler; readonly form: RequestHandler };
  /** Called on shutdown; feature modules push their cleanup (timers, LISTEN connections) here. */
  readonly onClose: Array<() => void | Promise<void>>;
}
