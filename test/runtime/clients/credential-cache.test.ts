import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import {
  CredentialLookup,
  MAX_CACHED,
  MAX_UNKNOWN_IDS,
} from '../../../runtime/src/credentials/cache/credential-lookup.js';
import { LastUsedThrottle } from '../../../runtime/src/credentials/last-used-throttle.js';
import { ManualClock } from '../../support/clock.js';

describe('LastUsedThrottle', () => {
  it('allows one write per credential per interval', () => {
    const throttle = new LastUsedThrottle(60_000);
    expect(throttle.shouldWrite('k1', 0)).toBe(true);
    expect(throttle.shouldWrite('k1', 59_999)).toBe(false);
    expect(throttle.shouldWrite('k2', 59_999)).toBe(true);
    expect(throttle.shouldWrite('k1', 60_000)).toBe(true);
  });
});

describe('CredentialLookup', () => {
  /** A lookup whose store reads the test answers by hand, so an eviction can land while a read is in flight. */
  function lookupWithManualLoads() {
    const pending: Array<(value: string) => void> = [];
    let loads = 0;
    const clock = new ManualClock();
    const lookup = new CredentialLookup<string>({
      clock,
      logger: pino({ level: 'silent' }),
      cacheTtlSeconds: 30,
      load: () => {
        loads += 1;
        return new Promise((resolve) => pending.push(resolve));
      },
      writeLastUsed: async () => undefined,
    });
    return { lookup, pending, clock, loads: () => loads };
  }

  it('does not cache a row read before a revocation evicted it (a stale read never outlives the notice)', async () => {
    const { lookup, pending, loads } = lookupWithManualLoads();
    const inFlight = lookup.find('cli_1');
    // The revocation commits and its invalidation notice arrives while the read above is still running.
    lookup.evict('cli_1');
    pending.shift()?.('active row read before the revocation');
    expect(await inFlight).toBe('active row read before the revocation');
    const next = lookup.find('cli_1');
    expect(loads()).toBe(2);
    pending.shift()?.('revoked');
    expect(await next).toBe('revoked');
  });

  it('remembers an unknown id (no store read on a repeat) until a credential with that id is created', async () => {
    const pending: Array<(value: string | undefined) => void> = [];
    let loads = 0;
    const lookup = new CredentialLookup<string>({
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      cacheTtlSeconds: 30,
      cacheUnknown: true,
      load: () => {
        loads += 1;
        return new Promise((resolve) => pending.push(resolve));
      },
      writeLastUsed: async () => undefined,
    });
    const first = lookup.find('key_1');
    pending.shift()?.(undefined);
    expect(await first).toBeUndefined();
    expect(await lookup.find('key_1')).toBeUndefined();
    expect(loads).toBe(1);
    // Created: the next check reads the store. A read that straddles the creation is not remembered as unknown.
    const straddling = lookup.find('key_2');
    lookup.forgetUnknown('key_1');
    lookup.forgetUnknown('key_2');
    pending.shift()?.(undefined);
    expect(await straddling).toBeUndefined();
    const again = lookup.find('key_1');
    pending.shift()?.('created');
    expect(await again).toBe('created');
    const reread = lookup.find('key_2');
    expect(loads).toBe(4);
    pending.shift()?.('created too');
    expect(await reread).toBe('created too');
  });

  it('serves concurrent misses for one id from one store read (no stampede when a busy entry expires)', async () => {
    const { lookup, pending, clock, loads } = lookupWithManualLoads();
    const waiting = [lookup.find('cli_1'), lookup.find('cli_1'), lookup.find('cli_1')];
    const other = lookup.find('cli_2');
    expect(loads()).toBe(2);
    pending.shift()?.('row 1');
    pending.shift()?.('row 2');
    expect(await Promise.all(waiting)).toEqual(['row 1', 'row 1', 'row 1']);
    expect(await other).toBe('row 2');
    expect(await lookup.find('cli_1')).toBe('row 1');
    expect(loads()).toBe(2);
    // Once the entry expires, the next miss reads again: a finished read is never handed out a second time.
    clock.advance(30);
    const refill = lookup.find('cli_1');
    expect(loads()).toBe(3);
    pending.shift()?.('row 1, read again');
    expect(await refill).toBe('row 1, read again');
  });

  it('never joins a read that started before an eviction: a request after a revocation reads afresh', async () => {
    const { lookup, pending, loads } = lookupWithManualLoads();
    const before = lookup.find('cli_1');
    lookup.evict('cli_1');
    const after = lookup.find('cli_1');
    const alsoAfter = lookup.find('cli_1');
    expect(loads()).toBe(2);
    pending.shift()?.('active row read before the revocation');
    pending.shift()?.('revoked');
    expect(await before).toBe('active row read before the revocation');
    expect(await after).toBe('revoked');
    expect(await alsoAfter).toBe('revoked');
    expect(await lookup.find('cli_1')).toBe('revoked');
    expect(loads()).toBe(2);
  });

  it('shares a failed read with its waiters, caches nothing, and reads again on the next miss', async () => {
    let loads = 0;
    let fail = true;
    const lookup = new CredentialLookup<string>({
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      cacheTtlSeconds: 30,
      load: async () => {
        loads += 1;
        await Promise.resolve();
        if (fail) throw new Error('store unavailable');
        return 'row';
      },
      writeLastUsed: async () => undefined,
    });
    const results = await Promise.allSettled([lookup.find('cli_1'), lookup.find('cli_1')]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'rejected']);
    expect(loads).toBe(1);
    fail = false;
    expect(await lookup.find('cli_1')).toBe('row');
    expect(loads).toBe(2);
  });

  it('does not cache a row read across a bus gap (clear) either, and caches normally otherwise', async () => {
    const { lookup, pending, loads } = lookupWithManualLoads();
    const inFlight = lookup.find('cli_1');
    lookup.clear();
    pending.shift()?.('stale');
    await inFlight;
    const again = lookup.find('cli_1');
    pending.shift()?.('fresh');
    expect(await again).toBe('fresh');
    expect(await lookup.find('cli_1')).toBe('fresh');
    expect(loads()).toBe(2);
  });

  it('keeps at most MAX_CACHED credentials and MAX_UNKNOWN_IDS unknown ids, the least recently used going first', async () => {
    const loads: string[] = [];
    const lookup = new CredentialLookup<string>({
      clock: new ManualClock(),
      logger: pino({ level: 'silent' }),
      cacheTtlSeconds: 30,
      cacheUnknown: true,
      load: async (id) => {
        loads.push(id);
        return id.startsWith('known_') ? `row ${id}` : undefined;
      },
      writeLastUsed: async () => undefined,
    });
    for (let i = 0; i <= MAX_CACHED; i++) await lookup.find(`known_${i}`);
    for (let i = 0; i <= MAX_UNKNOWN_IDS; i++) await lookup.find(`unknown_${i}`);
    const before = loads.length;
    // The newest of each stayed; the oldest of each was dropped, whatever ids came after it.
    await lookup.find(`known_${MAX_CACHED}`);
    await lookup.find(`unknown_${MAX_UNKNOWN_IDS}`);
    expect(loads.length).toBe(before);
    await lookup.find('known_0');
    await lookup.find('unknown_0');
    expect(loads.slice(before)).toEqual(['known_0', 'unknown_0']);
  });

  it('serves a cached credential until its TTL has passed, then reads it again', async () => {
    const { lookup, pending, clock, loads } = lookupWithManualLoads();
    const first = lookup.find('cli_1');
    pending.shift()?.('row');
    expect(await first).toBe('row');
    clock.advance(29.999);
    expect(await lookup.find('cli_1')).toBe('row');
    expect(loads()).toBe(1);
    clock.advance(0.001);
    const again = lookup.find('cli_1');
    expect(loads()).toBe(2);
    pending.shift()?.('row, read again');
    expect(await again).toBe('row, read again');
  });

  it('caches nothing with a TTL of 0 or while caching is disabled (invalidation bus down)', async () => {
    let healthy = false;
    let loads = 0;
    const lookupWith = (cacheTtlSeconds: number) =>
      new CredentialLookup<string>({
        clock: new ManualClock(),
        logger: pino({ level: 'silent' }),
        cacheTtlSeconds,
        cacheEnabled: () => healthy,
        cacheUnknown: true,
        load: async (id) => {
          loads += 1;
          return id === 'cli_1' ? 'row' : undefined;
        },
        writeLastUsed: async () => undefined,
      });
    const gated = lookupWith(30);
    for (const id of ['cli_1', 'cli_1', 'nobody', 'nobody']) await gated.find(id);
    expect(loads).toBe(4);
    healthy = true;
    const off = lookupWith(0);
    for (const id of ['cli_1', 'cli_1', 'nobody', 'nobody']) await off.find(id);
    expect(loads).toBe(8);
    for (const id of ['cli_1', 'cli_1', 'nobody', 'nobody'])
      expect(await gated.find(id)).toBe(id === 'cli_1' ? 'row' : undefined);
    expect(loads).toBe(10);
  });
});
