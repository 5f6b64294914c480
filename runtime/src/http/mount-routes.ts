import type { IncomingMessage, ServerResponse } from 'node:http';
import { parse as parseQueryString } from 'node:querystring';
import type { Express, Request, Response } from 'express';
import type { z } from 'zod';
import type { Authenticator } from '../auth/authenticator.js';
import { assertPermissions, authenticated } from '../auth/route-access.js';
import { readOAuthForm } from '../oauth/oauth-http.js';
import type { FastHandler, FastRouter } from './fast-router.js';
import { jsonBody } from './json-body.js';
import { type HttpMethod, type OpenApiRegistry, type OperationSpec, parseWith } from './openapi.js';
import { BODY_LIMIT_BYTES } from './raw-body.js';
import { withRouteLayerResponses } from './responses.js';
import type { AnyRoute, BodySpec, HandlerQuery } from './route.js';

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
    for (const alias of declared.aliases ?? []) {
      app[alias.method](alias.path, serve);
      for (const method of alias.method === 'all' ? ALL_METHODS : [alias.method]) {
        layer.openapi.add({
          ...operationOf(declared),
          method,
          path: alias.path.replace(WILDCARD, '{$1$2}'),
          summary: alias.summary ?? declared.summary,
          params: alias.params,
        });
      }
    }
  }
}

/** An Express 5 wildcard (`{*original}`, `*original`), documented as the path parameter `{original}`. */
const WILDCARD = /\{\*([A-Za-z0-9_]+)\}|\*([A-Za-z0-9_]+)/g;

/** What an `all` alias is documented as: every method `OperationSpec` can name. */
const ALL_METHODS: readonly HttpMethod[] = ['get', 'post', 'put', 'patch', 'delete'];

/** A query the handler reads itself: documented, not validated by the route layer. */
function readByHandler(query: z.ZodObject | HandlerQuery | undefined): query is HandlerQuery {
  return query !== undefined && 'readBy' in query;
}

const isValidatedQuery = (query: z.ZodObject | HandlerQuery | undefined) =>
  query !== undefined && !readByHandler(query);

/** The OpenAPI operation a declaration documents, with the answers the route layer gives before the handler runs. */
export function operationOf(declared: AnyRoute): OperationSpec {
  const access = declared.access;
  const body = declared.body as BodySpec | undefined;
  const permissions =
    access !== 'public' && access.authenticates === undefined ? (access.permissions ?? []) : undefined;
  const layerChecks = {
    method: declared.method,
    validates: declared.params !== undefined || isValidatedQuery(declared.query) || body?.kind === 'json',
    permissions,
  };
  return {
    method: declared.method,
    path: declared.path,
    summary: declared.summary,
    description: declared.description,
    tags: declared.tags,
    security: access === 'public' ? [] : access.security,
    permissions,
    params: declared.params,
    query: readByHandler(declared.query) ? declared.query.schema : declared.query,
    body: body && {
      schema: declared.bodyOptional ? body.schema.optional() : body.schema,
      contentType: body.kind === 'json' ? 'application/json' : 'application/x-www-form-urlencoded',
    },
    responses: withRouteLayerResponses(layerChecks, declared.responses),
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

const NO_INPUT = Object.freeze({ params: undefined, query: undefined, body: undefined, principal: undefined });

type Answer = (res: ServerResponse, returned: unknown) => void;

/**
 * How the route layer answers with what a handler returned: the body as JSON with the declared status (default 200)
 * and `Cache-Control: no-store`, or for 204 no body. Nothing when the handler wrote its own answer (sent the headers,
 * or returned nothing for a status other than 204). Hot routes always write their own: they get no answer step.
 */
function answerFor(declared: AnyRoute): Answer | undefined {
  if (declared.fast) return undefined;
  const status: number = declared.status ?? 200;
  if (status === 204) {
    return (res) => {
      if (res.headersSent) return;
      res.statusCode = 204;
      res.setHeader('Cache-Control', 'no-store');
      res.end();
    };
  }
  return (res, returned) => {
    if (returned === undefined || res.headersSent) return;
    // Routes other than hot ones are served by Express: its `json` sets the type with its charset, as before.
    (res as Response).status(status).set('Cache-Control', 'no-store').json(returned);
  };
}

function serveRoute(declared: AnyRoute, auth: Authenticator, readJson: JsonReader): FastHandler {
  const access = declared.access;
  const routeAuthenticates = access !== 'public' && access.authenticates === undefined;
  const permissions = routeAuthenticates ? (access.permissions ?? []) : [];
  const body = declared.body as BodySpec | undefined;
  const querySchema = readByHandler(declared.query) ? undefined : declared.query;
  const answer = answerFor(declared);
  const handler = declared.handler as (req: IncomingMessage, res: ServerResponse, input: object) => unknown;
  if (!routeAuthenticates && !declared.params && !querySchema && !body) {
    // Nothing for the route layer to do (forward auth, JWKS, health): the handler itself is the hot path, with one
    // shared input, so that wrapping it costs no allocation and no extra promise per request.
    if (!answer) return (req, res) => handler(req, res, NO_INPUT) as void | Promise<void>;
    return async (req, res) => answer(res, await handler(req, res, NO_INPUT));
  }
  return async (req, res) => {
    const principal = routeAuthenticates ? await authenticated(auth, req, res) : undefined;
    if (principal && permissions.length > 0) assertPermissions(principal, permissions);
    const params = declared.params ? parseWith(declared.params, (req as Request).params ?? {}, 'params') : undefined;
    const query = querySchema ? parseWith(querySchema, queryOf(req), 'query') : undefined;
    let parsedBody: unknown;
    if (body?.kind === 'oauth-form') {
      parsedBody = await readOAuthForm(req);
    } else if (body) {
      const raw = await readJson(req, res);
      parsedBody =
        raw === undefined && declared.bodyOptional ? undefined : parseWith(body.schema, raw ?? undefined, 'body');
    }
    const returned = await handler(req, res, { params, query, body: parsedBody, principal });
    answer?.(res, returned);
  };
}
