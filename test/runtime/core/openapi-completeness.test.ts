import type { Express } from 'express';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { servicesOf } from '../../../runtime/src/app.js';
import type { DevOidcProvider } from '../../../runtime/src/dev/dev-oidc-provider.js';
import type { TestApp } from '../../support/app.js';
import { signinEnv, startSigninApp, startTestIdp } from '../signin/support/signin-harness.js';

interface Operation {
  readonly security: ReadonlyArray<Record<string, unknown>>;
  readonly 'x-permissions'?: readonly string[];
}
type OpenApiDocument = { paths: Record<string, Record<string, Operation>> };

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `METHOD /path/{param}` for every route Express and the fast path serve, in OpenAPI's path spelling. */
function servedOperations(app: Express): string[] {
  const served = new Set<string>();
  const toOpenApiPath = (path: string) =>
    path.replace(/:([A-Za-z0-9_]+)/g, '{$1}').replace(/\{\*([A-Za-z0-9_]+)\}/g, '{$1}');
  // Express 5 keeps its routes on `app.router.stack`; a route layer lists its methods, every method Node knows for
  // `app.all`, which OpenAPI documents as the methods it has words for.
  const stack = (
    app as unknown as { router: { stack: Array<{ route?: { path: string | string[]; methods: object } }> } }
  ).router.stack;
  for (const layer of stack) {
    if (!layer.route) continue;
    const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
    const listed = Object.keys(layer.route.methods);
    const methods = listed.length >= METHODS.length && METHODS.every((m) => listed.includes(m)) ? METHODS : listed;
    for (const path of paths)
      for (const method of methods) served.add(`${method.toUpperCase()} ${toOpenApiPath(path)}`);
  }
  for (const { method, path } of servicesOf(app).fast.entries()) {
    if (method !== 'HEAD') served.add(`${method} ${path}`);
  }
  return [...served].sort();
}

function documentedOperations(doc: OpenApiDocument): string[] {
  return Object.entries(doc.paths)
    .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** A URL for a documented path, with a well-formed value for each parameter. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, 'x0000000000000000');

/**
 * The runtime with every optional feature on (browser sign-in, break-glass login), so that every route it can serve
 * is served.
 */
describe('/openapi.json', () => {
  let idp: DevOidcProvider;
  let app: TestApp;
  let doc: OpenApiDocument;
  beforeAll(async () => {
    idp = await startTestIdp();
    app = await startSigninApp('sqlite', idp, { ...signinEnv(idp), LOCAL_LOGIN_ENABLED: 'true' });
    doc = (await (await fetch(`${app.baseUrl}/openapi.json`)).json()) as OpenApiDocument;
  });
  afterAll(async () => {
    await app?.close();
    await idp?.close();
  });

  it('documents every served route, and nothing the runtime does not serve', () => {
    expect(documentedOperations(doc)).toEqual(servedOperations(app.runtime.app));
  });

  it('names the credentials of every operation, and the permissions where the route checks them', () => {
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        expect(Array.isArray(operation.security), `${method} ${path}`).toBe(true);
        if (operation['x-permissions']) {
          expect(
            operation.security.length,
            `${method} ${path} checks permissions but lists no credential`,
          ).toBeGreaterThan(0);
        }
      }
    }
    // The checks above and below key on x-permissions: make sure the document still carries it where it must.
    expect(doc.paths['/api/v1/api-keys']?.post?.['x-permissions']).toEqual(['api_keys:manage']);
    expect(doc.paths['/api/v1/audit']?.get?.['x-permissions']).toEqual(['audit:read']);
    expect(doc.paths['/auth/me']?.get?.['x-permissions']).toEqual([]);
    expect(doc.paths['/auth/verify']?.get?.['x-permissions']).toBeUndefined();
    expect(doc.paths['/healthz']?.get?.security).toEqual([]);
  });

  it('answers 401 without a credential wherever the route layer authenticates, and never on public routes', async () => {
    let guarded = 0;
    let open = 0;
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(item)) {
        const res = await fetch(`${app.baseUrl}${concrete(path)}`, {
          method: method.toUpperCase(),
          redirect: 'manual',
          headers: { 'content-type': 'application/json', origin: app.config.publicUrl },
          body: method === 'get' ? undefined : '{}',
        });
        await res.arrayBuffer();
        const where = `${method.toUpperCase()} ${path} answered ${res.status}`;
        if (operation['x-permissions']) {
          expect(res.status, where).toBe(401);
          guarded += 1;
        }
        if (operation.security.length === 0) {
          expect(res.status, where).not.toBe(401);
          open += 1;
        }
      }
    }
    // Every admin API route is guarded, and health, discovery, sign-in and the console's assets are open.
    expect(guarded).toBeGreaterThanOrEqual(30);
    expect(open).toBeGreaterThanOrEqual(11);
  });
});
