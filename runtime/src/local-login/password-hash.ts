import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';

/**
 * argon2id with OWASP's Password Storage Cheat Sheet minimum: 19 MiB of memory, 2 passes, 1 lane. Memory-hard, so a
 * GPU or ASIC guessing a stolen hash pays for 19 MiB per guess; one check costs the runtime about 50-100 ms of one
 * libuv worker thread (the thread pool, 4 threads by default, also bounds how many run at once, so at most ~76 MiB).
 * The parameters are stored in each hash (PHC string), so raising them later keeps old hashes verifiable.
 */
export const ARGON2ID_PARAMETERS = {
  type: argon2.argon2id,
  /** In KiB: 19 MiB. */
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
} as const;

/** Hashes and verifies passwords; one instance per app (tests spy on `verify`). */
export class PasswordHasher {
  /** A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`) with a fresh 16-byte salt. */
  hash(password: string): Promise<string> {
    return argon2.hash(password, ARGON2ID_PARAMETERS);
  }

  /** Whether `password` matches `phc`; false (never a throw) for a hash that does not parse. */
  async verify(phc: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(phc, password);
    } catch {
      return false;
    }
  }

  /**
   * A hash of a random password, to verify against when the username names no account: the answer then costs what a
   * wrong password costs. Compute it once, at start-up.
   */
  dummyHash(): Promise<string> {
    return this.hash(randomBytes(32).toString('base64url'));
  }
}
