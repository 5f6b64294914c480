import { z } from 'zod';
import type { OpenApiRegistry } from '../http/openapi.js';
import { type AnyRoute, route } from '../http/route.js';

/**
 * `/openapi.json` (OpenAPI 3.1 of every route in `openapi`). `GET /metrics` is not on this app: it is served on the
 * operators' listener (`METRICS_PORT`, see http/metrics-listener.ts), never on the service port.
 */
export function operationsRoutes(openapi: OpenApiRegistry, publicUrl: string): AnyRoute[] {
  let document: string | undefined;
  return [
    route({
      method: 'get',
      path: '/openapi.json',
      summary: 'This document (OpenAPI 3.1)',
      tags: ['operations'],
      access: 'public',
      responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
      handler: (_req, res) => {
        // Built on first request, after every route was mounted.
        document ??= JSON.stringify(
          openapi.document({ title: 'gatehouse runtime', version: '1', serverUrl: publicUrl }),
        );
        res.set('Content-Type', 'application/json; charset=utf-8').send(document);
      },
    }),
  ];
}
