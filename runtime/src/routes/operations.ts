import type { Express } from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';

/**
 * `/openapi.json` (OpenAPI 3.1 of every registered route). `GET /metrics` is not on this app: it is served on the
 * operators' listener (`METRICS_PORT`, see http/metrics-listener.ts), never on the service port.
 */
export function registerOperationsRoutes(app: Express, ctx: AppContext): void {
  ctx.openapi.add({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (OpenAPI 3.1)',
    tags: ['operations'],
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  });

  let document: string | undefined;
  app.get('/openapi.json', (_req, res) => {
    // Built on first request, after every feature module registered its routes.
    document ??= JSON.stringify(
      ctx.openapi.document({ title: 'gatehouse runtime', version: '1', serverUrl: ctx.config.publicUrl }),
    );
    res.set('Content-Type', 'application/json; charset=utf-8').send(document);
  });
}
