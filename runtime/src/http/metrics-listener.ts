import type { RequestListener } from 'node:http';
import type { Metrics } from './metrics.js';

/** The one path the metrics listener serves (GET and HEAD). */
export const METRICS_PATH = '/metrics';

/**
 * The operators' listener (`METRICS_PORT`): `GET /metrics` in Prometheus text format and nothing else. It runs apart
 * from the service port so the public ingress never reaches it; without authentication, like any scrape target.
 */
export function createMetricsListener(metrics: Metrics): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?', 1)[0];
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Cache-Control', 'no-store');
    if (path !== METRICS_PATH || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res
        .writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' })
        .end('Not found: this listener serves GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text);
      },
      () => {
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Metrics could not be collected\n');
      },
    );
  };
}
