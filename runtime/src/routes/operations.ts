import type { Express } from 'express';
import { z } from 'zod';
import type { AppContext } from '../http/context.js';

/** `/metrics` (Prometheus text) and `/openapi.json` (OpenAPI 3.1 of every registered route). */
export function registerOperationsRoutes(app: Express, ctx: AppContext): void {
  ctx.openapi.add({
    method: 'get',
    path: '/metrics',
    summary: 'Prometheus metrics',
    tags: ['operations'],
    responses: { 200: { description: 'Prometheus text format', schema: z.string(), contentType: 'text/plain' } },
  });
  ctx.openapi.add({
    method: 'get',
    path: '/openapi.json',
    summary: 'This document (OpenAPI 3.1)',
    tags: ['operations'],
    responses: { 200: { description: 'OpenAPI document', schema: z.record(z.string(), z.unknown()) } },
  });

  app.get('/metrics', async (_req, res) => {
    res.set('Content-Type', ctx.metrics.registry.contentType).set('Cache-Control', 'no-store');
    res.send(await ctx.metrics.registry.metrics());
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
