import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import type { IssuedApiKey } from '../../../runtime/src/credentials/api-keys/api-key-service.js';
import { createBootstrapAdminKey } from '../../../runtime/src/credentials/bootstrap-admin.js';
import type { TestApp } from '../../support/app.js';

/** A fresh client address (198.18.0.0/15, benchmarking range) so brute-force counters never leak between tests. */
export const randomIp = (): string => `198.${18 + randomInt(2)}.${randomInt(256)}.${randomInt(1, 255)}`;

export interface CallOptions {
  readonly method?: string;
  /** Sent as `X-API-Key`. */
  readonly apiKey?: string;
  /** Sent as `Authorization: Bearer`. */
  readonly bearer?: string;
  readonly body?: unknown;
  /** Client address, sent as `X-Forwarded-For` (the test client is a trusted loopback hop). Default: random. */
  readonly ip?: string;
  readonly headers?: Record<string, string>;
}

/** `fetch` against the app with the credential and address the test names. */
export function call(app: Pick<TestApp, 'baseUrl'>, path: string, options: CallOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'X-Forwarded-For': options.ip ?? randomIp(),
    'User-Agent': 'gatehouse-tests/1.0',
    ...options.headers,
  };
  if (options.apiKey) headers['X-API-Key'] = options.apiKey;
  if (options.bearer) headers.Authorization = `Bearer ${options.bearer}`;
  if (options.body !== undefined) headers['Content-Type'] = 'application/json';
  return fetch(`${app.baseUrl}${path}`, {
    method: options.method ?? (options.body === undefined ? 'GET' : 'POST'),
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
}

/** The X-Auth-* headers of a forward-auth answer. */
export const identityOf = (res: Response) => ({
  subject: res.headers.get('x-auth-subject'),
  role: res.headers.get('x-auth-role'),
  scopes: res.headers.get('x-auth-scopes'),
  kind: res.headers.get('x-auth-kind'),
  org: res.headers.get('x-auth-org'),
  team: res.headers.get('x-auth-team'),
});

/** The bootstrap admin key (`gatehouse bootstrap-admin`) of a test app. */
export async function bootstrapAdminKey(app: TestApp, name = 'tests'): Promise<string> {
  const created = await createBootstrapAdminKey(
    { store: app.store, config: app.config, clock: app.clock, audit: app.ctx.audit },
    name,
  );
  return created.api_key;
}

export type CreatedKey = IssuedApiKey;

/** Creates an API key through the API with `adminKey`; fails the test unless the answer is 201. */
export async function createKey(
  app: Pick<TestApp, 'baseUrl'>,
  adminKey: string,
  body: {
    name: string;
    scopes: string[];
    description?: string;
    expires_in_days?: number;
    rate_limit_per_minute?: number | null;
  },
): Promise<CreatedKey> {
  const res = await call(app, '/api/v1/api-keys', { apiKey: adminKey, body });
  if (res.status !== 201) throw new Error(`create key answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as CreatedKey;
}

/**
 * How long `eventually` waits, in ms: far longer than anything it waits for takes, so that a slow or busy machine
 * never fails a test. A bound that matters is asserted without wall-clock time: the test apps run on a manual clock,
 * so a cached credential is refused on another replica only through the invalidation bus, never by its TTL.
 */
const EVENTUALLY_TIMEOUT_MS = 15_000;

/** Polls `check` every 20 ms until it returns true; throws after `EVENTUALLY_TIMEOUT_MS`. */
export async function eventually(check: () => Promise<boolean>, timeoutMs = EVENTUALLY_TIMEOUT_MS): Promise<void> {
  const started = Date.now();
  for (;;) {
    if (await check()) return;
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/**
 * The same key_id with another secret and a VALID checksum: passes the checksum, reaches the store, fails on the
 * secret (the checksum algorithm is the key format's: CRC32 of everything before it, 6 base62 characters).
 */
export function forgeSecret(apiKey: string, fill = 'A'): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const unsigned = `${apiKey.slice(0, 24)}${fill.repeat(24)}`;
  let value = crc32(unsigned);
  let checksum = '';
  for (let i = 0; i < 6; i++) {
    checksum = alphabet[value % 62] + checksum;
    value = Math.floor(value / 62);
  }
  return `${unsigned}${checksum}`;
}
