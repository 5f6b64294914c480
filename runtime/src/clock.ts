/** The runtime's source of time. Tests pass a clock they can move; production uses the system clock. */
export interface Clock {
  /** Current time in milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Current time as the ISO-8601 UTC string every timestamp column stores (sortable as text in both dialects). */
export const isoNow = (clock: Clock): string => new Date(clock.now()).toISOString();

/** `clock.now()` plus `seconds`, as a stored ISO-8601 timestamp. */
export const isoIn = (clock: Clock, seconds: number): string => new Date(clock.now() + seconds * 1000).toISOString();

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now() / 1000);
