/**
 * Creates the credentials a bench run needs through the runtime's public HTTP API, exactly as an operator would:
 * API keys, an API client, and access tokens from the client-credentials grant.
 */
async function call(url: string, init: RequestInit, expected: number): Promise<Record<string, unknown>> {
  const response = await fetch(url, init);
  const text = await response.text();
  if (response.status !== expected)
    throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as Record<string, unknown>;
}

/** Runs `count` async tasks with at most `concurrency` in flight. */
async function pooled<T>(count: number, concurrency: number, task: (index: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const index = next++;
        results[index] = await task(index);
      }
    }),
  );
  return results;
}

export const BENCH_SCOPES = ['incidents:read', 'investigations:read'];

export function createApiKeys(baseUrl: string, adminKey: string, count: number): Promise<string[]> {
  return pooled(count, 8, async (index) => {
    const body = await call(
      `${baseUrl}/api/v1/api-keys`,
      {
        method: 'POST',
        headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
        body: JSON.stringify({ name: `bench-${index}`, scopes: BENCH_SCOPES }),
      },
      201,
    );
    return body.api_key as string;
  });
}

export interface BenchClient {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly basicAuthorization: string;
}

export async function createClient(baseUrl: string, adminKey: string): Promise<BenchClient> {
  const body = await call(
    `${baseUrl}/api/v1/clients`,
    {
      method: 'POST',
      headers: { 'x-api-key': adminKey, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'bench-client', scopes: BENCH_SCOPES }),
    },
    201,
  );
  const clientId = body.client_id as string;
  const clientSecret = body.client_secret as string;
  const basic = Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64');
  return { clientId, clientSecret, basicAuthorization: `Basic ${basic}` };
}

export const TOKEN_REQUEST_BODY = 'grant_type=client_credentials';

export function issueAccessTokens(baseUrl: string, client: BenchClient, count: number): Promise<string[]> {
  return pooled(count, 8, async () => {
    const body = await call(
      `${baseUrl}/oauth2/token`,
      {
        method: 'POST',
        headers: { authorization: client.basicAuthorization, 'content-type': 'application/x-www-form-urlencoded' },
        body: TOKEN_REQUEST_BODY,
      },
      200,
    );
    return body.access_token as string;
  });
}
