import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import express from 'express';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { looksLikeJwt, unverifiedStringClaim } from '../../../runtime/src/auth/jwt-shape.js';
import { presentedCredential } from '../../../runtime/src/auth/presented-credential.js';
import { requiredScopes } from '../../../runtime/src/auth/verify-route.js';
import { parseApiKey } from '../../../runtime/src/credentials/api-key-format.js';
import {
  CreateApiKeyBodySchema,
  RotateApiKeyBodySchema,
} from '../../../runtime/src/credentials/api-keys/api-key-schemas.js';
import { CreateClientBodySchema } from '../../../runtime/src/credentials/clients/client-schemas.js';
import { parseTeamToken } from '../../../runtime/src/credentials/team-tokens/team-token-format.js';
import {
  IssueTokenBodySchema,
  RevokeTokenBodySchema,
} from '../../../runtime/src/credentials/team-tokens/team-token-schemas.js';
import { AppError, OAuthError } from '../../../runtime/src/errors.js';
import { parseWith, type z } from '../../../runtime/src/http/openapi.js';
import { toPublicError } from '../../../runtime/src/http/render-error.js';
import { presentedClient } from '../../../runtime/src/oauth/client-authentication.js';
import { readOAuthForm } from '../../../runtime/src/oauth/oauth-http.js';
import {
  CreateOrgBodySchema,
  CreateTeamBodySchema,
  UpdateOrgBodySchema,
} from '../../../runtime/src/orgs/org-schemas.js';
import { CallbackBodySchema, RefreshBodySchema } from '../../../runtime/src/signin/schemas.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { randomIp } from '../auth/helpers.js';

/**
 * Generated bad input never earns a 5xx and never comes back in an answer. Most runs call the parsers directly (the
 * credential parsers, the JSON and form body readers, the schema checks, the required-scope reader); a bounded number
 * go through the in-process app over HTTP. Runs per property are fixed so the total stays above 100,000.
 */

/** A secret-looking marker: if it shows up in an answer, the answer echoed the caller's secret. */
const SECRET = 'Zq9SECRETmarker7Xv';
const secretText = fc.tuple(fc.string(), fc.string()).map(([a, b]) => `${a}${SECRET}${b}`);
const anyText = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 200 }),
  fc.stringMatching(/^[%0-9A-Fa-f/._~:@!$&'()*+,;=?#[\]-]{0,40}$/),
  secretText,
);
const jsonValue = fc.jsonValue({ maxDepth: 3 });

function fakeRequest(headers: Record<string, string | undefined>, url = '/'): IncomingMessage {
  const lower: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lower[name.toLowerCase()] = value;
  return { headers: lower, url } as unknown as IncomingMessage;
}

function bodyRequest(body: Buffer, headers: Record<string, string>): IncomingMessage {
  const stream = Readable.from([body]) as unknown as IncomingMessage & { complete: boolean };
  Object.assign(stream, { headers: { 'content-length': String(body.length), ...headers }, url: '/', method: 'POST' });
  stream.on('end', () => {
    stream.complete = true;
  });
  return stream;
}

/** A thrown value is acceptable bad-input handling: a public 4xx that does not echo the secret. */
function assertClientError(error: unknown): void {
  const publicError = toPublicError(error);
  expect(publicError.status).toBeGreaterThanOrEqual(400);
  expect(publicError.status).toBeLessThan(500);
  expect(publicError.message).not.toContain(SECRET);
}

const BODY_SCHEMAS: ReadonlyArray<z.ZodType> = [
  CreateApiKeyBodySchema,
  RotateApiKeyBodySchema,
  CreateClientBodySchema,
  IssueTokenBodySchema,
  RevokeTokenBodySchema,
  CreateOrgBodySchema,
  UpdateOrgBodySchema,
  CreateTeamBodySchema,
  CallbackBodySchema,
  RefreshBodySchema,
];

describe('bad input, parsers called directly', () => {
  it('credential parsers never throw on any string', () => {
    fc.assert(
      fc.property(anyText, (value) => {
        parseApiKey(value);
        parseTeamToken(value);
        if (looksLikeJwt(value)) unverifiedStringClaim(value, 'iss');
        unverifiedStringClaim(`${value}.${Buffer.from(value).toString('base64url')}.x`, 'iss');
      }),
      { numRuns: 25_000 },
    );
  });

  it('the presented credential of any headers is found without throwing', () => {
    fc.assert(
      fc.property(anyText, anyText, anyText, (cookie, authorization, apiKey) => {
        presentedCredential(fakeRequest({ cookie, authorization, 'x-api-key': apiKey }));
        presentedCredential(
          fakeRequest({ cookie: `access_token=${cookie}`, authorization: `Bearer ${authorization}` }),
        );
      }),
      { numRuns: 15_000 },
    );
  });

  it('client authentication of any Basic header or form answers a 4xx OAuth error at worst, without the secret', () => {
    fc.assert(
      fc.property(
        anyText,
        secretText,
        fc.boolean(),
        fc.option(anyText, { nil: undefined }),
        (id, secret, raw, bodyId) => {
          const credentials = raw ? id : Buffer.from(`${id}:${secret}`).toString('base64');
          const form = new Map<string, string>();
          if (bodyId !== undefined) form.set('client_id', bodyId);
          if (raw) form.set('client_secret', secret);
          try {
            presentedClient(fakeRequest({ authorization: `Basic ${credentials}` }), form);
          } catch (error) {
            expect(error).toBeInstanceOf(OAuthError);
            assertClientError(error);
          }
        },
      ),
      { numRuns: 15_000 },
    );
  });

  it('required scopes of any verify query or header answer 400 at worst, without the secret', () => {
    const query = fc.array(fc.tuple(fc.oneof(fc.constantFrom('scope', 'Scope', 'scope[]', 'q'), anyText), anyText), {
      maxLength: 4,
    });
    fc.assert(
      fc.property(query, fc.option(anyText, { nil: undefined }), (pairs, header) => {
        const search = pairs.map(([n, v]) => `${encodeURIComponent(n)}=${encodeURIComponent(v)}`).join('&');
        try {
          requiredScopes(fakeRequest({ 'x-auth-require-scopes': header }, `/auth/verify?${search}`));
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          assertClientError(error);
        }
      }),
      { numRuns: 15_000 },
    );
  });

  it('every JSON body schema refuses any JSON value with a 400 that does not echo it', () => {
    const withSecrets = fc.oneof(
      jsonValue,
      fc.dictionary(
        fc.constantFrom('name', 'description', 'scopes', 'token', 'refresh_token', 'code', 'state', 'redirect_uri'),
        fc.oneof(secretText, fc.array(secretText, { maxLength: 3 }), jsonValue),
      ),
    );
    fc.assert(
      fc.property(fc.constantFrom(...BODY_SCHEMAS), withSecrets, (schema, value) => {
        try {
          parseWith(schema, value, 'body');
        } catch (error) {
          expect(error).toBeInstanceOf(AppError);
          assertClientError(error);
        }
      }),
      { numRuns: 25_000 },
    );
  });

  it('the JSON body reader answers 4xx for any bytes, content type and encoding', async () => {
    const json = express.json({ limit: 64 * 1024 });
    const encodings = fc.constantFrom(undefined, 'gzip', 'br', 'deflate', 'identity', 'compress', 'x-gzip', 'GZIP');
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
      secretText.map((s) => Buffer.from(s)),
    );
    await fc.assert(
      fc.asyncProperty(bytes, encodings, fc.boolean(), async (body, encoding, compress) => {
        let payload = body;
        if (compress && encoding === 'gzip') payload = gzipSync(body);
        if (compress && encoding === 'deflate') payload = deflateSync(body);
        if (compress && encoding === 'br') payload = brotliCompressSync(body);
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        if (encoding) headers['content-encoding'] = encoding;
        const req = bodyRequest(payload, headers);
        const error = await new Promise<unknown>((resolve) => {
          json(req as express.Request, {} as express.Response, (err?: unknown) => resolve(err));
        });
        if (error !== undefined) assertClientError(error);
      }),
      { numRuns: 3_000 },
    );
  });

  it('the OAuth form reader answers an RFC 6749 4xx for any bytes', async () => {
    const bytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b)),
      fc
        .array(fc.tuple(anyText, fc.oneof(anyText, secretText)), { maxLength: 5 })
        .map((pairs) => Buffer.from(new URLSearchParams(pairs).toString())),
    );
    const contentTypes = fc.constantFrom(
      'application/x-www-form-urlencoded',
      'application/x-www-form-urlencoded; charset=utf-8',
      'application/json',
      '',
    );
    const encodings = fc.constantFrom(undefined, 'gzip', 'br', 'identity');
    await fc.assert(
      fc.asyncProperty(bytes, contentTypes, encodings, async (body, contentType, encoding) => {
        const headers: Record<string, string> = { 'content-type': contentType };
        if (encoding) headers['content-encoding'] = encoding;
        try {
          await readOAuthForm(bodyRequest(body, headers));
        } catch (error) {
          expect(error).toBeInstanceOf(OAuthError);
          assertClientError(error);
        }
      }),
      { numRuns: 3_000 },
    );
  });
});

/** Route templates with their path parameters, as the app declares them. */
const ROUTES: ReadonlyArray<readonly [string, string]> = [
  ['GET', '/api/v1/orgs/:p'],
  ['PATCH', '/api/v1/orgs/:p'],
  ['GET', '/api/v1/orgs/:p/teams'],
  ['GET', '/api/v1/orgs/:p/teams/:p'],
  ['PATCH', '/api/v1/orgs/:p/teams/:p'],
  ['GET', '/api/v1/orgs/:p/teams/:p/tokens'],
  ['POST', '/api/v1/orgs/:p/teams/:p/tokens'],
  ['POST', '/api/v1/orgs/:p/admin-tokens'],
  ['DELETE', '/api/v1/api-keys/:p'],
  ['POST', '/api/v1/api-keys/:p/rotate'],
  ['DELETE', '/api/v1/clients/:p'],
  ['POST', '/api/v1/clients/:p/secrets'],
  ['DELETE', '/api/v1/clients/:p/secrets/:p'],
  ['PATCH', '/api/v1/users/:p'],
  ['POST', '/api/v1/api-keys'],
  ['POST', '/api/v1/tokens/revoke'],
  ['POST', '/auth/refresh'],
  ['POST', '/auth/callback'],
  ['POST', '/oauth2/token'],
  ['POST', '/oauth2/introspect'],
  ['GET', '/auth/verify/:p'],
];

/** HTTP runs per store: bounded, the parsers above carry the bulk of the generated cases. */
const HTTP_RUNS = 150;

describe.each(STORE_DIALECTS)('bad input over HTTP on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect);

  it('never answers 5xx nor echoes a secret, and logs nothing at error level', async () => {
    const segment = fc.oneof(
      fc.stringMatching(/^[%0-9A-Fa-f]{1,8}$/),
      fc.string({ minLength: 1, maxLength: 30 }).map((s) => encodeURIComponent(s)),
      fc.constantFrom('%', '%00', '%E0%A4%A', '%C0%80', 'default', '%2F', '..', '%FF', SECRET),
    );
    const body = fc.oneof(
      fc.constant(undefined),
      jsonValue.map((v) => Buffer.from(JSON.stringify(v) ?? '')),
      fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b)),
      secretText.map((s) => Buffer.from(JSON.stringify({ name: s, token: s, client_secret: s }))),
      secretText.map((s) => Buffer.from(`grant_type=client_credentials&client_id=x&client_secret=${s}`)),
    );
    const contentType = fc.constantFrom(
      undefined,
      'application/json',
      'application/x-www-form-urlencoded',
      'text/plain',
      'application/json; charset=latin9',
    );
    const encoding = fc.constantFrom(undefined, 'gzip', 'br', 'deflate', 'identity', 'zstd');
    const credential = fc.constantFrom('admin', 'secret-key', 'secret-bearer', 'none');
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        fc.array(segment, { minLength: 4, maxLength: 4 }),
        body,
        contentType,
        encoding,
        credential,
        secretText.map((s) => s.replace(/[^\x21-\x7e]/g, 'a')),
        async ([method, template], segments, payload, type, enc, who, secret) => {
          let i = 0;
          const path = template.replace(/:p/g, () => segments[i++] as string);
          const headers: Record<string, string> = { 'X-Forwarded-For': randomIp() };
          if (who === 'admin') headers['X-API-Key'] = suite.admin;
          if (who === 'secret-key') headers['X-API-Key'] = secret;
          if (who === 'secret-bearer') headers.Authorization = `Bearer ${secret}`;
          if (type) headers['Content-Type'] = type;
          if (enc) headers['Content-Encoding'] = enc;
          const sendsBody = method !== 'GET' && payload !== undefined;
          const res = await fetch(`${suite.app.baseUrl}${path}`, {
            method,
            headers,
            body: sendsBody ? new Uint8Array(payload) : undefined,
          });
          const text = await res.text();
          expect({ method, path, status: res.status, text }).toEqual({
            method,
            path,
            status: expect.toSatisfy((s: number) => s < 500),
            text: expect.not.stringContaining(SECRET),
          });
        },
      ),
      { numRuns: HTTP_RUNS },
    );
    expect(suite.app.logs.filter((line) => line.level === 'error' || line.level === 'fatal')).toEqual([]);
  });
});
