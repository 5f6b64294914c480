import { describe, expect, it } from 'vitest';
import { storeCounterClient } from '../../../runtime/src/rate-limit/store-counter-client.js';
import type { Store } from '../../../runtime/src/store/store.js';
import { eventually } from '../auth/helpers.js';

/** A store whose every query is answered by `answer` (called once per query that reaches the store). */
function fakeStore(answer: () => Promise<unknown>): { store: Store; queries: () => number } {
  let queries = 0;
  const db = {
    executeQuery: () => {
      queries += 1;
      return answer();
    },
  };
  return { store: { db } as unknown as Store, queries: () => queries };
}

const COUNT = { text: 'select 1 where $1 = $1', values: ['key'] };

describe('shared counts through the store', () => {
  it('answers rows and a row count as pg does', async () => {
    const { store } = fakeStore(async () => ({ rows: [{ points: 3, expire: 1 }] }));
    expect(await storeCounterClient(store).query(COUNT)).toEqual({ rows: [{ points: 3, expire: 1 }], rowCount: 1 });
    const deleted = fakeStore(async () => ({ rows: [], numAffectedRows: 2n }));
    expect(await storeCounterClient(deleted.store).query(COUNT)).toEqual({ rows: [], rowCount: 2 });
  });

  it('after a failure, fails at once without asking the store until the pause ends', async () => {
    let failing = true;
    const { store, queries } = fakeStore(async () => {
      if (failing) throw new Error('connection refused');
      return { rows: [{ points: 1 }] };
    });
    const client = storeCounterClient(store, { pauseMs: 200 });
    await expect(client.query(COUNT)).rejects.toThrow('connection refused');
    await expect(client.query(COUNT)).rejects.toThrow('shared counts are paused after a store failure');
    expect(queries()).toBe(1);
    failing = false;
    await eventually(async () => (await client.query(COUNT).catch(() => undefined)) !== undefined);
    expect(queries()).toBe(2);
  });

  it('gives up on a count the store never answers, and pauses', async () => {
    const { store, queries } = fakeStore(() => new Promise(() => {}));
    const client = storeCounterClient(store, { timeoutMs: 20, pauseMs: 60_000 });
    await expect(client.query(COUNT)).rejects.toThrow('the store did not answer a count within 20 ms');
    await expect(client.query(COUNT)).rejects.toThrow('shared counts are paused after a store failure');
    expect(queries()).toBe(1);
  });
});
