/**
 * `value` with its last character replaced by a different one. Appending a fixed character instead would leave a
 * random secret unchanged whenever it already ended in that character (one time in 62 or 64), and the test asserting
 * a refusal would then fail at random.
 */
export function withLastCharacterChanged(value: string): string {
  if (value.length === 0) throw new Error('an empty string has no last character to change');
  return `${value.slice(0, -1)}${value.endsWith('A') ? 'B' : 'A'}`;
}
