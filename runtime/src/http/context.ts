import type { Logger } from 'pino';
import type { AuditWriter } from '../audit/audit-writer.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { KeyRing } from '../keys/key-ring.js';
import type { Store } from '../store/store.js';
import type { TokenService } from '../tokens/access-tokens.js';
import type { Metrics } from './metrics.js';

/**
 * What every service is built from: the config and the runtime's outer dependencies. `createApp` makes it, and the
 * composition root (`composeServices`) builds every service from it.
 */
export interface AppContext {
  readonly config: Config;
  readonly store: Store;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly keys: KeyRing;
  readonly tokens: TokenService;
  readonly metrics: Metrics;
  readonly audit: AuditWriter;
  /** Called on shutdown, in order: services push their cleanup (timers, LISTEN and Redis connections) here. */
  readonly onClose: Array<() => void | Promise<void>>;
}
