import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { Metrics } from './metrics.js';
import { requestIdOf } from './request-id.js';

/**
 * Per-request bookkeeping, kept cheap because it runs on the hot paths: a request id (echoed as `X-Request-Id`, by
 * this function unless `echoRequestId` is false: fast routes echo it in their single `writeFastHead`), one latency
 * observation and one access-log line when the response finishes. The log line has the path without the
 * query string (queries may carry codes or tickets) and never headers or bodies.
 */
export function instrumentRequest(
  logger: Logger,
  metrics: Metrics,
  req: IncomingMessage,
  res: ServerResponse,
  routeOf: () => string,
  echoRequestId = true,
): void {
  const started = performance.now();
  const id = requestIdOf(req);
  req.requestId = id;
  if (echoRequestId) res.setHeader('X-Request-Id', id);
  res.once('finish', () => {
    const ms = performance.now() - started;
    const route = routeOf();
    const method = req.method ?? 'GET';
    metrics.observeRequest(method, route, res.statusCode, ms / 1000);
    logger.info({ req_id: id, method, route, status: res.statusCode, ms: Math.round(ms * 100) / 100 }, 'request');
  });
}
