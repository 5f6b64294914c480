import { newId } from '../../ids.js';
import { RANDOM_SECRET_LENGTH, randomSecret } from '../random-secret.js';

/**
 * Team and org admin token wire format: `<tokid>.<toksecret>`.
 * - tokid: `tok_` + 20 base36 characters, public (listed, audited, used to revoke);
 * - toksecret: 43 base64url characters (256 bits from the CSPRNG), stored only as HMAC-SHA-256(pepper, secret).
 * One `.` only, so it is never mistaken for a JWT (two dots) and parsing needs no store lookup.
 */
const PATTERN = new RegExp(`^(tok_[0-9a-z]{20})\\.([A-Za-z0-9_-]{${RANDOM_SECRET_LENGTH}})$`);

export interface ParsedTeamToken {
  readonly tokenId: string;
  readonly secret: string;
}

export function generateTeamToken(): ParsedTeamToken & { readonly token: string } {
  const tokenId = newId('tok');
  const secret = randomSecret();
  return { tokenId, secret, token: `${tokenId}.${secret}` };
}

/** True when `value` has the shape of a team/admin token (no secret check). */
export const looksLikeTeamToken = (value: string): boolean => PATTERN.test(value);

export function parseTeamToken(value: string): ParsedTeamToken | undefined {
  const match = PATTERN.exec(value);
  return match ? { tokenId: match[1] as string, secret: match[2] as string } : undefined;
}
