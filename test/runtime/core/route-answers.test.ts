import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Authenticator } from '../../../runtime/src/auth/authenticator.js';
import { FastRouter } from '../../../runtime/src/http/fast-router.js';
import { mountRoutes } from '../../../runtime/src/http/mount-routes.js';
import { OpenApiRegistry, z } from '../../../runtime/src/http/openapi.js';
import { forbiddenResponse, ORIGIN_REFUSED, withRouteLayerResponses } from '../../../runtime/src/http/responses.js';
import { ROUTE_LAYER_CREDENTIALS, requires, route } from '../../../runtime/src/http/route.js';

const ThingSchema = z.object({ id: z.string() });
const IdParams = z.object({ id: z.string() });
const tags = ['things'];

/** The route layer alone, on Express, with routes that need no caller (the authenticator is never asked). */
function thingsApp() {
  const app = express();
  mountRoutes(
    app,
    [
      route({
        method: 'post',
        path: '/things/:id',
        summary: 'Create',
        tags,
        access: 'public',
        params: IdParams,
        status: 201,
        responses: { 201: { description: 'Created', schema: ThingSchema } },
        handler: async (_req, _res, { params }) => ({ id: params.id }),
      }),
      route({
        method: 'get',
        path: '/things',
        summary: 'List (nothing to validate: the handler is called directly)',
        tags,
        access: 'public',
        responses: { 200: { description: 'Things', schema: z.object({ things: z.array(ThingSchema) }) } },
        handler: () => ({ things: [{ id: 'a' }] }),
      }),
      route({
        method: 'delete',
        path: '/things/:id',
        summary: 'Delete',
        tags,
        access: 'public',
        params: IdParams,
        status: 204,
        responses: { 204: { description: 'Deleted' } },
        handler: async () => {},
      }),
      route({
        method: 'get',
        path: '/things/:id/export',
        summary: 'A handler that writes its own answer',
        tags,
        access: 'public',
        params: IdParams,
        responses: { 200: { description: 'CSV', contentType: 'text/csv' } },
        handler: async (_req, res, { params }) => {
          res.status(200).type('text/csv').send(`id\n${params.id}\n`);
        },
      }),
    ],
    { auth: {} as Authenticator, fast: new FastRouter(), openapi: new OpenApiRegistry() },
  );
  return app;
}

describe('the route layer writes the success answer', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer(thingsApp());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers a returned body with the declared status, as JSON, not to be stored', async () => {
    const res = await fetch(`${base}/things/t1`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ id: 't1' });
  });

  it('answers 200 by default, also for a handler it calls directly', async () => {
    const res = await fetch(`${base}/things`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.json()).toEqual({ things: [{ id: 'a' }] });
  });

  it('ends a 204 route with no body', async () => {
    const res = await fetch(`${base}/things/t1`, { method: 'DELETE' });
    expect(res.status).toBe(204);
    expect(res.headers.get('content-type')).toBeNull();
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(await res.text()).toBe('');
  });

  it('leaves alone an answer the handler wrote itself', async () => {
    const res = await fetch(`${base}/things/t1/export`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('cache-control')).toBeNull();
    expect(await res.text()).toBe('id\nt1\n');
  });
});

describe('route access', () => {
  it('documents a route the layer authenticates with every credential the authenticator accepts, no fewer', () => {
    expect(requires('audit:read')).toEqual({ security: ROUTE_LAYER_CREDENTIALS, permissions: ['audit:read'] });
    // The authenticator asks every resolver whatever the route: a narrower list would document a promise the layer
    // does not keep, so the type refuses it (checked by `npm run typecheck`).
    const cookieOnly = route({
      method: 'get',
      path: '/cookie-only',
      summary: 'Refused by the type',
      tags,
      // @ts-expect-error: the route layer cannot authenticate one scheme only
      access: { security: ['cookie'], permissions: ['audit:read'] },
      responses: { 200: { description: 'Never' } },
      handler: () => undefined,
    });
    expect(cookieOnly.path).toBe('/cookie-only');
  });
});

describe('documented answers', () => {
  const checks = { method: 'post', validates: true, permissions: ['audit:read'] } as const;

  it("keeps a route's own description and adds what only the route layer knows of that status", () => {
    const responses = withRouteLayerResponses(checks, {
      403: forbiddenResponse('lacks `audit:read`, or a scope it tries to grant'),
      429: { description: 'Too many tickets' },
    });
    expect(responses[403]?.description).toBe(
      `\`forbidden\`: lacks \`audit:read\`, or a scope it tries to grant, or ${ORIGIN_REFUSED}`,
    );
    expect(responses[429]?.description).toBe('Too many tickets');
    expect(Object.keys(responses[429]?.headers ?? {})).toEqual(['Retry-After', 'RateLimit-Policy', 'RateLimit']);
    expect(Object.keys(responses).sort()).toEqual(['400', '401', '403', '429']);
  });

  it('adds no Origin refusal to a read', () => {
    const responses = withRouteLayerResponses({ ...checks, method: 'get' }, { 403: forbiddenResponse('not yours') });
    expect(responses[403]?.description).toBe('`forbidden`: not yours');
  });
});
