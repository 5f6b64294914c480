import type { AccessToken, TokenCredential } from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { AccessTokenSource } from '../../../runtime/src/azure/access-token-source.js';
import { ManualClock } from '../../support/clock.js';

/** A credential that issues `token-<n>` valid for `lifetimeSeconds` on the manual clock, and can be made to fail. */
class CountingCredential implements TokenCredential {
  calls = 0;
  scopes: string[] = [];
  failing = false;
  refreshAfterSeconds: number | undefined;
  #release: (() => void) | undefined;
  blocked = false;

  constructor(
    private readonly clock: ManualClock,
    private readonly lifetimeSeconds = 3600,
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    this.calls += 1;
    this.scopes.push(String(scopes));
    if (this.blocked) await new Promise<void>((resolve) => (this.#release = resolve));
    if (this.failing) throw new Error('identity endpoint unavailable');
    const now = this.clock.now();
    return {
      token: `token-${this.calls}`,
      expiresOnTimestamp: now + this.lifetimeSeconds * 1000,
      refreshAfterTimestamp: this.refreshAfterSeconds ? now + this.refreshAfterSeconds * 1000 : undefined,
      tokenType: 'Bearer',
    };
  }

  release(): void {
    this.blocked = false;
    this.#release?.();
  }
}

const SCOPE = 'https://ossrdbms-aad.database.windows.net/.default';

function setup(lifetimeSeconds = 3600) {
  const clock = new ManualClock();
  const credential = new CountingCredential(clock, lifetimeSeconds);
  const source = new AccessTokenSource({ credential, scope: SCOPE, clock, refreshMarginSeconds: 300 });
  return { clock, credential, source };
}

describe('AccessTokenSource', () => {
  it('fetches on first use for its scope and serves the cached token until the refresh margin', async () => {
    const { clock, credential, source } = setup();
    expect(await source.getToken()).toBe('token-1');
    clock.advance(3600 - 301);
    expect(await source.getToken()).toBe('token-1');
    expect(credential.calls).toBe(1);
    expect(credential.scopes).toEqual([SCOPE]);
  });

  it('refreshes before expiry: inside the margin the next caller gets a new token', async () => {
    const { clock, credential, source } = setup();
    await source.getToken();
    clock.advance(3600 - 300);
    expect(await source.getToken()).toBe('token-2');
    expect(credential.calls).toBe(2);
    clock.advance(3600 - 301);
    expect(await source.getToken()).toBe('token-2');
  });

  it("honours the credential's earlier refreshAfterTimestamp", async () => {
    const { clock, credential, source } = setup(24 * 3600);
    credential.refreshAfterSeconds = 12 * 3600;
    await source.getToken();
    clock.advance(12 * 3600 - 1);
    expect(await source.getToken()).toBe('token-1');
    clock.advance(1);
    expect(await source.getToken()).toBe('token-2');
  });

  it('shares one fetch between concurrent callers', async () => {
    const { credential, source } = setup();
    credential.blocked = true;
    const waiting = Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    await new Promise((resolve) => setImmediate(resolve));
    credential.release();
    expect(await waiting).toEqual(['token-1', 'token-1', 'token-1']);
    expect(credential.calls).toBe(1);
  });

  it('keeps serving a still-valid token while a refresh fails, and retries on the next call', async () => {
    const { clock, credential, source } = setup();
    await source.getToken();
    clock.advance(3600 - 200);
    credential.failing = true;
    expect(await source.getToken()).toBe('token-1');
    credential.failing = false;
    expect(await source.getToken()).toBe('token-3');
    expect(credential.calls).toBe(3);
  });

  it('fails once the token has expired and the endpoint still fails', async () => {
    const { clock, credential, source } = setup();
    await source.getToken();
    clock.advance(3600);
    credential.failing = true;
    await expect(source.getToken()).rejects.toThrow('identity endpoint unavailable');
  });

  it('fails on first use when no token can be had', async () => {
    const { credential, source } = setup();
    credential.failing = true;
    await expect(source.getToken()).rejects.toThrow('identity endpoint unavailable');
  });
});
