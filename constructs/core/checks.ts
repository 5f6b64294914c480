import { Token } from 'cdktf';
import type { IConstruct } from 'constructs';
import { ValidationError } from './validation-error.js';

/** Throws unless `value` is an integer in [min, max]. Unresolved tokens are skipped (known only at apply time). */
export function checkIntegerRange(scope: IConstruct, prop: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ValidationError(scope, prop, `an integer from ${min} to ${max}`, value);
  }
}

/** Throws when a list repeats a value; the message names the first repeat. */
export function checkNoDuplicates(scope: IConstruct, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (seen.has(value)) throw new ValidationError(scope, prop, 'a list without duplicate values', value);
    seen.add(value);
  }
}

/** Throws unless `value` matches `pattern`; `allowed` says in words what the pattern means. */
export function checkPattern(scope: IConstruct, prop: string, value: string, pattern: RegExp, allowed: string): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || !pattern.test(value)) throw new ValidationError(scope, prop, allowed, value);
}
