import { describe, expect, it } from 'vitest';
import { CredentialBudget } from '../../../runtime/src/rate-limit/credential-budget.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { STORE_DIALECTS } from '../../support/databases.js';
import { eventually } from '../auth/helpers.js';
import { clientPrincipal } from './budget-principals.js';

/**
 * The budget's window, by its semantics. rate-limiter-flexible's stores keep time by the system clock (Date.now, or
 * Redis's own), not the app's manual clock, so these tests use a one-second window and wait for it to pass without
 * asserting how long anything took.
 */
describe.each(STORE_DIALECTS)('a credential budget window on %s', (dialect) => {
  const suite = useAppWithAdmin(dialect, { env: { RATE_LIMIT_CLIENT_PER_MINUTE: '2' } });
  const client = () => clientPrincipal(suite.app.config.catalog);

  it('refuses past the budget until the window ends, then grants the whole budget again', async () => {
    const budget = new CredentialBudget(suite.app.ctx, suite.app.services.redis, 1);
    const caller = client();
    expect(await budget.charge(caller)).toEqual({ limit: 2, remaining: 1, resetSeconds: 1, windowSeconds: 1 });
    expect(await budget.charge(caller)).toMatchObject({ limit: 2, remaining: 0 });
    const refused = await budget.charge(caller).catch((error: unknown) => error);
    expect(refused).toMatchObject({
      code: 'rate_limited',
      status: 429,
      reason: 'over_budget',
      headers: { 'Retry-After': '1', 'RateLimit-Policy': '"default";q=2;w=1', RateLimit: '"default";r=0;t=1' },
    });
    let renewed: unknown;
    await eventually(async () => {
      renewed = await budget.charge(caller).catch(() => undefined);
      return renewed !== undefined;
    });
    // The first request of a new window.
    expect(renewed).toMatchObject({ limit: 2, remaining: 1 });
  });

  it('counts one by one on a single replica, though it reserves the budget in blocks', async () => {
    const budget = new CredentialBudget(suite.app.ctx, suite.app.services.redis);
    const caller = clientPrincipal(suite.app.config.catalog, 100);
    const remaining: number[] = [];
    for (let i = 0; i < 100; i++) remaining.push((await budget.charge(caller))?.remaining ?? -1);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => 99 - i));
    await expect(budget.charge(caller)).rejects.toMatchObject({ code: 'rate_limited', reason: 'over_budget' });
  });

  it('counts each credential apart, and takes a budget of its own over the default', async () => {
    const budget = new CredentialBudget(suite.app.ctx, suite.app.services.redis);
    const first = client();
    await budget.charge(first);
    await budget.charge(first);
    await expect(budget.charge(first)).rejects.toMatchObject({ code: 'rate_limited' });
    expect(await budget.charge(client())).toMatchObject({ limit: 2, remaining: 1, windowSeconds: 60 });
    const own = { ...client(), requestBudgetPerMinute: 5 };
    expect(await budget.charge(own)).toMatchObject({ limit: 5, remaining: 4 });
    expect(await budget.charge({ ...client(), requestBudgetPerMinute: 0 })).toBeUndefined();
  });
});
