import { sql } from 'kysely';
import { describe, expect, it } from 'vitest';
import { CredentialBudget } from '../../../runtime/src/rate-limit/credential-budget.js';
import { redisReady } from '../../../runtime/src/rate-limit/redis-connection.js';
import type { StartTestAppOptions } from '../../support/app.js';
import { useAppWithAdmin } from '../../support/app-with-admin.js';
import { clientPrincipal } from './budget-principals.js';

const redisUrl = process.env.TEST_REDIS_URL;
/** The shared stores: PostgreSQL without Redis, and Redis (on SQLite) when the suite has one. */
const SHARED: Array<[string, StartTestAppOptions]> = [
  ['PostgreSQL', { dialect: 'postgres' }],
  [
    redisUrl ? 'Redis' : 'PostgreSQL (again: no TEST_REDIS_URL)',
    redisUrl ? { dialect: 'sqlite', env: { REDIS_URL: redisUrl } } : { dialect: 'postgres' },
  ],
];

/** Two CredentialBudget instances on one app stand for two replicas: they share nothing but the store. */
describe.each(SHARED)('a budget shared through %s', (_name, options) => {
  const suite = useAppWithAdmin(options.dialect, options);
  const client = (budget: number) => clientPrincipal(suite.app.config.catalog, budget);
  const replicas = async () => {
    await redisReady(suite.app.services.redis);
    return [
      new CredentialBudget(suite.app.ctx, suite.app.services.redis),
      new CredentialBudget(suite.app.ctx, suite.app.services.redis),
    ] as const;
  };

  it('never lets more through than the budget, requests alternating between replicas', async () => {
    const [a, b] = await replicas();
    const caller = client(100);
    for (let i = 0; i < 100; i++) await (i % 2 === 0 ? a : b).charge(caller);
    await expect(a.charge(caller)).rejects.toMatchObject({ code: 'rate_limited', reason: 'over_budget' });
    await expect(b.charge(caller)).rejects.toMatchObject({ code: 'rate_limited', reason: 'over_budget' });
  });

  it('grants a replica only the units below the budget when its block straddles it', async () => {
    const [a, b] = await replicas();
    const caller = client(100);
    // A reserves a block of two and uses one; B takes the other 98 units, and no more.
    await a.charge(caller);
    for (let i = 0; i < 98; i++) await b.charge(caller);
    await expect(b.charge(caller)).rejects.toMatchObject({ code: 'rate_limited' });
    // A's own unit; what A says is left counts B's reservations only as of A's last one (a hint, as the draft allows).
    expect(await a.charge(caller)).toMatchObject({ limit: 100 });
    await expect(a.charge(caller)).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('a budget shared through PostgreSQL', () => {
  const suite = useAppWithAdmin('postgres');
  const counted = async (subject: string): Promise<number | undefined> => {
    const { rows } = await sql<{
      points: number;
    }>`select points from rate_limit_counters where key = ${`gatehouse:rl:credential-budget:client:${subject}`}`.execute(
      suite.app.store.db,
    );
    return rows[0]?.points;
  };

  it('writes the shared count once per block of a fiftieth of the budget, not once per request', async () => {
    const budget = new CredentialBudget(suite.app.ctx, suite.app.services.redis);
    const caller = clientPrincipal(suite.app.config.catalog, 500);
    const subject = caller.subject;
    expect(await budget.charge(caller)).toMatchObject({ limit: 500, remaining: 499 });
    expect(await counted(subject)).toBe(10);
    // Requests arriving together wait for one reservation instead of each making their own.
    const states = await Promise.all(Array.from({ length: 25 }, () => budget.charge(caller)));
    expect(states.map((state) => state?.remaining).sort((x, y) => (y ?? 0) - (x ?? 0))[0]).toBe(498);
    expect(await counted(subject)).toBe(30);
  });
});
