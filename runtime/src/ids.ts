import { randomInt } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';
/** 20 characters of base36 carry about 103 bits: unguessable and collision-free for row ids. */
const ID_LENGTH = 20;

/** Prefixes say what an id names when it shows up in a log or an audit row. */
export type IdPrefix = 'org' | 'team' | 'usr' | 'key' | 'cli' | 'sec' | 'tok' | 'rt' | 'rtf' | 'ls' | 'wst' | 'aud';

/**
 * The shape of an id `newId(prefix)` makes. Path parameters check it before any lookup, so a value that is not such
 * an id (a secret pasted into a URL, say) is refused with a 400 that does not repeat it, and never reaches a
 * "not found" message that would.
 */
export function idPattern(prefix: IdPrefix): RegExp {
  return new RegExp(`^${prefix}_[0-9a-z]{${ID_LENGTH}}$`);
}

/** A random text id like `key_0v3k...`, the same in SQLite and PostgreSQL. */
export function newId(prefix: IdPrefix): string {
  let out = `${prefix}_`;
  for (let i = 0; i < ID_LENGTH; i++) out += ALPHABET[randomInt(ALPHABET.length)];
  return out;
}
