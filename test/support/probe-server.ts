import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach } from 'vitest';

export interface ProbeServer {
  /** `http://127.0.0.1:<port>/probe?x=1`: a path and a query, so a generator's request line can be checked. */
  readonly url: string;
  readonly server: Server;
}

/**
 * Loopback HTTP servers for the load generator's tests: `serve(listener)` starts one on a free port; every server
 * started in a test is closed after it. Call once at the top of a file.
 */
export function probeServers(): { serve(listener: RequestListener): Promise<ProbeServer> } {
  const started: Server[] = [];
  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });
  return {
    async serve(listener) {
      const server = createServer(listener);
      started.push(server);
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/probe?x=1`, server };
    },
  };
}
