import { describe, expect, it } from 'vitest';
import { BoundedTtlCache } from '../../../runtime/src/credentials/cache/bounded-ttl-cache.js';
import { LastUsedThrottle } from '../../../runtime/src/credentials/last-used-throttle.js';
import { ManualClock } from '../../support/clock.js';

describe('BoundedTtlCache', () => {
  it('serves an entry until its TTL has passed', () => {
    const clock = new ManualClock();
    const cache = new BoundedTtlCache<string>({ ttlMs: 30_000, now: () => clock.now() });
    cache.set('a', 'A');
    clock.advance(29.999);
    expect(cache.get('a')).toBe('A');
    clock.advance(0.001);
    expect(cache.get('a')).toBeUndefined();
  });

  it('keeps at most maxEntries, dropping the oldest first', () => {
    const clock = new ManualClock();
    const cache = new BoundedTtlCache<number>({ ttlMs: 1000, maxEntries: 2, now: () => clock.now() });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect([cache.get('a'), cache.get('b'), cache.get('c')]).toEqual([undefined, 2, 3]);
    expect(cache.size).toBe(2);
  });

  it('caches nothing with a TTL of 0 or while disabled (invalidation bus down)', () => {
    const clock = new ManualClock();
    let healthy = false;
    const off = new BoundedTtlCache<number>({ ttlMs: 0, now: () => clock.now() });
    off.set('a', 1);
    expect(off.get('a')).toBeUndefined();
    const gated = new BoundedTtlCache<number>({ ttlMs: 1000, now: () => clock.now(), enabled: () => healthy });
    gated.set('a', 1);
    expect(gated.get('a')).toBeUndefined();
    healthy = true;
    gated.set('a', 1);
    expect(gated.get('a')).toBe(1);
    gated.delete('a');
    expect(gated.get('a')).toBeUndefined();
  });
});

describe('LastUsedThrottle', () => {
  it('allows one write per credential per interval', () => {
    const throttle = new LastUsedThrottle(60_000);
    expect(throttle.shouldWrite('k1', 0)).toBe(true);
    expect(throttle.shouldWrite('k1', 59_999)).toBe(false);
    expect(throttle.shouldWrite('k2', 59_999)).toBe(true);
    expect(throttle.shouldWrite('k1', 60_000)).toBe(true);
  });
});
