import { createHash } from 'node:crypto';
import type { Response } from 'express';
import type { Authenticator } from '../auth/authenticator.js';
import type { AppContext } from '../http/context.js';
import { ErrorBodySchema, z } from '../http/openapi.js';
import { type AnyRoute, route } from '../http/route.js';
import { CONSOLE_ICON } from './assets/console-icon.js';
import {
  CONSOLE_ICON_PATH,
  CONSOLE_SCRIPT_PATH,
  CONSOLE_STYLES_PATH,
  renderConsolePage,
  renderForbiddenPage,
  renderSigninUnavailablePage,
} from './assets/console-page.js';
import { CONSOLE_STYLES } from './assets/console-styles.js';
import { consoleAccess } from './console-access.js';
import { consoleScript } from './console-bundle.js';
import { setConsoleSecurityHeaders } from './security-headers.js';

/** Where an unauthenticated browser is sent: sign in, then come back to the console. */
export const CONSOLE_LOGIN_PATH = '/auth/login?return_to=/admin';

interface StaticAsset {
  /** The asset's OpenAPI summary. */
  readonly summary: string;
  readonly body: string;
  readonly contentType: string;
  /** Strong validator: SHA-256 of the body, so a browser revalidates cheaply (304) and never runs a stale script. */
  readonly etag: string;
}

const asset = (summary: string, body: string, contentType: string): StaticAsset => ({
  summary,
  body,
  contentType,
  etag: `"${createHash('sha256').update(body).digest('base64url')}"`,
});

const tags = ['admin'];
const html = (description: string) => ({ description, schema: z.string(), contentType: 'text/html' });
const revalidated = {
  'Cache-Control': '`no-cache`: the browser revalidates the asset on each use',
  ETag: 'SHA-256 of the body; send it back in `If-None-Match`',
};

/** The console page, and one route per static asset path. */
export function adminRoutes(ctx: AppContext, auth: Authenticator): AnyRoute[] {
  const page = renderConsolePage(ctx.config.catalog);
  const icon = asset('The admin console icon (SVG)', CONSOLE_ICON, 'image/svg+xml; charset=utf-8');
  const assets = new Map<string, StaticAsset>([
    [CONSOLE_SCRIPT_PATH, asset('The admin console script', consoleScript(), 'text/javascript; charset=utf-8')],
    [CONSOLE_STYLES_PATH, asset('The admin console styles', CONSOLE_STYLES, 'text/css; charset=utf-8')],
    [CONSOLE_ICON_PATH, icon],
    // Browsers ask for /favicon.ico on their own, on any page of this origin: the same icon (they all read SVG).
    ['/favicon.ico', { ...icon, summary: 'The site icon browsers ask for: the admin console icon (SVG)' }],
  ]);

  const sendPage = (res: Response, status: number, body: string): void => {
    res.status(status).set('Cache-Control', 'no-store').type('html').send(body);
  };

  return [
    route({
      method: 'get',
      path: '/admin',
      summary: 'The admin console (HTML) for a signed-in browser session',
      description:
        'Requires the `access_token` session cookie. Its sections are offered by the permissions their API needs: users `users:manage`, API keys `api_keys:manage`, API clients `clients:manage`, teams and org admin tokens `tokens:manage`, signing keys `keys:rotate` (default org), audit `audit:read`.',
      tags,
      // Only a browser session opens the console; anything else is sent to sign in, not refused (consoleAccess).
      access: { security: ['cookie'], authenticates: 'handler' },
      responses: {
        200: html('The console page'),
        302: {
          description: `No valid browser session: redirect to \`${CONSOLE_LOGIN_PATH}\``,
          headers: { Location: CONSOLE_LOGIN_PATH },
        },
        403: html('Signed in without any permission a console section needs'),
        404: html('Browser sign-in is not configured on this runtime (`OIDC_ISSUER` unset)'),
        429: { description: 'Too many failed attempts from this address', schema: ErrorBodySchema },
      },
      handler: async (req, res) => {
        setConsoleSecurityHeaders(res);
        if (!ctx.config.oidc) {
          sendPage(res, 404, renderSigninUnavailablePage());
          return;
        }
        const access = await consoleAccess(auth, req);
        if (access.kind === 'sign_in') {
          res.set('Cache-Control', 'no-store').redirect(302, CONSOLE_LOGIN_PATH);
          return;
        }
        if (access.kind === 'forbidden') {
          sendPage(res, 403, renderForbiddenPage(access.principal));
          return;
        }
        sendPage(res, 200, page);
      },
    }),
    ...[...assets].map(([path, found]) => assetRoute(path, found)),
  ];
}

/** A static asset: the same bytes for everyone, holding no data, so served without authentication. */
function assetRoute(path: string, found: StaticAsset): AnyRoute {
  return route({
    method: 'get',
    path,
    summary: found.summary,
    tags,
    access: 'public',
    responses: {
      200: { description: 'The asset', schema: z.string(), contentType: found.contentType, headers: revalidated },
      304: { description: '`If-None-Match` names the current ETag: the cached copy is current', headers: revalidated },
    },
    handler: (req, res) => {
      setConsoleSecurityHeaders(res);
      res.set({ 'Cache-Control': 'no-cache', ETag: found.etag });
      if (matchesEtag(req.headers['if-none-match'], found.etag)) {
        res.status(304).end();
        return;
      }
      res.type(found.contentType).send(found.body);
    },
  });
}

/** RFC 9110 `If-None-Match` (weak comparison): `*`, or a comma-separated list naming the current tag. */
function matchesEtag(header: string | undefined, etag: string): boolean {
  if (!header) return false;
  return header.split(',').some((tag) => {
    const trimmed = tag.trim();
    return trimmed === '*' || trimmed === etag || trimmed === `W/${etag}`;
  });
}
