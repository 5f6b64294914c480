import type { Clock } from '../../runtime/src/clock.js';

/** A clock tests move by hand: `clock.advance(31 * 60)` makes a 30-minute token expire without waiting. */
export class ManualClock implements Clock {
  #now: number;

  constructor(start = Date.parse('2030-01-01T00:00:00.000Z')) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  /** Moves time forward by `seconds`. */
  advance(seconds: number): void {
    this.#now += seconds * 1000;
  }

  set(epochMs: number): void {
    this.#now = epochMs;
  }
}
