import { describe, expect, it } from 'vitest';
import { MAX_SLEEP_MS, nextStep, TIMER_THRESHOLD_MS, waitThen } from '../../bench/pacer.js';

describe('nextStep', () => {
  it('leaves long waits to a timer that wakes TIMER_THRESHOLD_MS early', () => {
    expect(nextStep(10)).toEqual({ kind: 'timer', ms: 10 - TIMER_THRESHOLD_MS });
  });

  it('sleeps the exact remainder when it is short, not a rounded millisecond', () => {
    expect(nextStep(0.135)).toEqual({ kind: 'sleep', ms: 0.135 });
  });

  it('sleeps at most MAX_SLEEP_MS at a time, so that answers are read in between', () => {
    expect(nextStep(TIMER_THRESHOLD_MS)).toEqual({ kind: 'sleep', ms: MAX_SLEEP_MS });
  });

  it('does not sleep when the request is already due', () => {
    expect(nextStep(0)).toEqual({ kind: 'sleep', ms: 0 });
    expect(nextStep(-3)).toEqual({ kind: 'sleep', ms: 0 });
  });
});

describe('waitThen', () => {
  it('blocks the thread for a sleep, then calls back from the event loop, never synchronously', async () => {
    const started = performance.now();
    let returned = false;
    const called = new Promise<{ at: number; afterReturn: boolean }>((resolve) =>
      waitThen({ kind: 'sleep', ms: 5 }, () => resolve({ at: performance.now(), afterReturn: returned })),
    );
    returned = true;
    const returnedAt = performance.now();
    // Atomics.wait returns no earlier than its timeout.
    expect(returnedAt - started).toBeGreaterThanOrEqual(5);
    const { at, afterReturn } = await called;
    expect(afterReturn).toBe(true);
    expect(at).toBeGreaterThanOrEqual(returnedAt);
  });
});
