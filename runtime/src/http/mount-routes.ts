import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Express, Request, Response } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import { assertPermissions, authenticated } from '../auth/middleware.js';
import { readOAuthForm } from '../oauth/oauth-http.js';
import type { FastRouter } from './fast-router.js';
import { jsonBody } from './json-body.js';
import { type OpenApiRegistry, type OperationSpec, parseWith } from './openapi.js';
import { BODY_LIMIT_BYTES } from './raw-body.js';
import type { AnyRoute, BodySpec } from './route.js';

/** What the route layer needs besides the routes: who the caller is, and where hot routes and operations go. */
export interface RouteLayer {
  readonly auth: Authenticator;
  readonly fast: FastRouter;
  readonly openapi: OpenApiRegistry;
}

/**
 * Serves each declared route: its OpenAPI operation, its Express registration (or, for a hot route, its fast-path
 * registration), and around its handler the one sequence every route gets — authenticate, check permissions, then
 * validate params, query and body.
 */
export function mountRoutes(app: Express, routes: readonly AnyRoute[], layer: RouteLayer): void {
  const readJson = promisedJsonParser();
  for (const declared of routes) {
    layer.openapi.add(operationOf(declared));
    const body = declared.body as BodySpec | undefined;
    const limit = body?.kind === 'json' ? body.limitBytes : undefined;
    const serve = serveRoute(declared, layer.auth, limit === undefined ? readJson : promisedJsonParser(limit));
    if (declared.fast) {
      if (declared.method !== 'get' && declared.method !== 'post') {
        throw new Error(`Fast route ${declared.path}: only GET and POST are served by the fast path`);
      }
      if (declared.path.includes(':')) throw new Error(`Fast route ${declared.path}: exact paths only`);
      layer.fast.add(declared.method === 'get' ? 'GET' : 'POST', declared.path, serve);
    } else {
      app[declared.method](declared.path, serve);
    }
    for (const alias of declared.aliases ?? []) app[alias.method](alias.path, serve);
  }
}

/** The OpenAPI operation a declaration documents. */
export function operationOf(declared: AnyRoute): OperationSpec {
  const access = declared.access;
  const body = declared.body as BodySpec | undefined;
  return {
    method: declared.method,
    path: declared.path,
    summary: declared.summary,
    description: declared.description,
    tags: declared.tags,
    security: access === 'public' ? [] : access.security,
    permissions: access !== 'public' && access.authenticates === undefined ? (access.permissions ?? []) : undefined,
    params: declared.params,
    query: declared.query,
    body: body && {
      schema: declared.bodyOptional ? body.schema.optional() : body.schema,
      contentType: body.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    responses: declared.responses,
  };
}

type JsonReader = (req: IncomingMessage, res: ServerResponse) => Promise<unknown>;

/** Express's JSON parser (limits, Content-Encoding, charset) as a promise, the same on either path. */
function promisedJsonParser(limitBytes = BODY_LIMIT_BYTES): JsonReader {
  const middleware = jsonBody(limitBytes);
  return (req, res) =>
    new Promise((resolve, reject) => {
      middleware(req as Request, res as Response, (error?: unknown) => {
        if (error) reject(error);
        else resolve((req as Request).body);
      });
    });
}

/** The query of either kind of request: Express parses it (node's querystring); the fast path does the same. */
function queryOf(req: IncomingMessage): unknown {
  if ('query' in req) return (req as Request).query;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return q === -1 ? {} : parseQueryString(url.slice(q + 1));
}

function serveRoute(declared: AnyRoute, auth: Authenticator, readJson: JsonReader) {
  const access = declared.access;
  const routeAuthenticates = access !== 'public' && access.authenticates === undefined;
  const permissions = routeAuthenticates ? (access.permissions ?? []) : [];
  const body = declared.body as BodySpec | undefined;
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const principal = routeAuthenticates ? await authenticated(auth, req, res) : undefined;
    if (principal && permissions.length > 0) assertPermissions(principal, permissions);
    const params = declared.params ? parseWith(declared.params, (req as Request).params ?? {}, 'params') : undefined;
    const query = declared.query ? parseWith(declared.query, queryOf(req), 'query') : undefined;
    let parsedBody: unknown;
    if (body?.kind === 'oauth-form') {
      parsedBody = await readOAuthForm(req);
    } else if (body) {
      const raw = await readJson(req, res);
      parsedBody =
        raw === undefined && declared.bodyOptional ? undefined : parseWith(body.schema, raw ?? undefined, 'body');
    }
    await declared.handler(req as never, res as never, { params, query, body: parsedBody, principal } as never);
  };
}
