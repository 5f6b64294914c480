import type { Logger } from 'pino';
import type { Services } from '../../runtime/src/composition-root.js';
import type { Config, Env } from '../../runtime/src/config.js';
import type { AppContext } from '../../runtime/src/http/context.js';
import { type RunningRuntime, startRuntime } from '../../runtime/src/server.js';
import type { Store, StoreDialect } from '../../runtime/src/store/store.js';
import { ManualClock } from './clock.js';
import { testConfig } from './config.js';
import { createTestDatabase, type TestDatabase } from './databases.js';
import { captureLogs } from './logs.js';

export interface TestApp {
  /** `http://127.0.0.1:<port>`; call it with `fetch`. */
  readonly baseUrl: string;
  /** `http://127.0.0.1:<port>` of the metrics listener (`METRICS_PORT`, a free port unless `env` says otherwise). */
  readonly metricsUrl: string | undefined;
  readonly config: Config;
  readonly store: Store;
  readonly ctx: AppContext;
  /** Every service of the app, as the composition root built them. */
  readonly services: Services;
  readonly clock: ManualClock;
  readonly runtime: RunningRuntime;
  readonly database: TestDatabase;
  /** Parsed log lines written so far (level debug), for assertions on logging. */
  readonly logs: Array<Record<string, unknown>>;
  /** Shuts the runtime down and drops its database. */
  close(): Promise<void>;
}

export interface StartTestAppOptions {
  readonly dialect: StoreDialect;
  /** Extra environment variables for `loadConfig` (e.g. `{ ACCESS_TOKEN_TTL_SECONDS: '60' }`). */
  readonly env?: Env;
  readonly clock?: ManualClock;
  /** Reuse an existing database (e.g. two app instances on one PostgreSQL); it is then not dropped on close. */
  readonly database?: TestDatabase;
  readonly logger?: Logger;
}

/**
 * The runtime exactly as `gatehouse serve` runs it (migrations, key ring, fast routes, Express), in process on
 * 127.0.0.1 port 0, on a fresh database of `dialect`, with a manual clock and captured logs.
 */
export async function startTestApp(options: StartTestAppOptions): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase(options.dialect));
  const config = testConfig({ DATABASE_URL: database.databaseUrl, METRICS_PORT: '0', ...options.env });
  const clock = options.clock ?? new ManualClock();
  const captured = captureLogs();
  const runtime = await startRuntime(config, { logger: options.logger ?? captured.logger, clock, host: '127.0.0.1' });
  const ctx = runtime.ctx;
  return {
    baseUrl: runtime.url,
    metricsUrl: runtime.metricsUrl,
    config,
    store: runtime.store,
    ctx,
    services: runtime.services,
    clock,
    runtime,
    database,
    logs: captured.lines,
    close: async () => {
      await runtime.shutdown(1000);
      if (!options.database) await database.drop();
    },
  };
}
