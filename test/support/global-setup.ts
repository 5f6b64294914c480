import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './embedded-postgres.js';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin URL of the PostgreSQL server tests create their databases on. */
    postgresAdminUrl: string;
  }
}

/**
 * Once per `vitest run`: PostgreSQL for the suites. `TEST_DATABASE_URL` when set (CI); otherwise a throwaway
 * embedded-postgres server, started lazily here and stopped (and deleted) at the end.
 */
export default async function setup(project: TestProject): Promise<(() => Promise<void>) | undefined> {
  const configured = process.env.TEST_DATABASE_URL;
  if (configured) {
    project.provide('postgresAdminUrl', configured);
    return undefined;
  }
  const server = await startEmbeddedPostgres();
  project.provide('postgresAdminUrl', server.adminUrl);
  return () => server.stop();
}
