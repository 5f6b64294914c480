/**
 * Decides when a credential's `last_used_at` may be written: at most once per `intervalMs` per credential, so that
 * traffic (which an attacker controls) cannot turn every request into a store write. In-process and bounded; a
 * replica restart at worst writes one extra row per credential.
 */
export class LastUsedThrottle {
  readonly #lastWrite = new Map<string, number>();
  readonly #intervalMs: number;
  readonly #maxEntries: number;

  /** @param intervalMs minimum time between two writes for one credential, in ms (default 60000 = one minute). */
  constructor(intervalMs = 60_000, maxEntries = 50_000) {
    this.#intervalMs = intervalMs;
    this.#maxEntries = maxEntries;
  }

  /** True (and remembers `nowMs`) when the credential's last-used time should be written now. */
  shouldWrite(credentialId: string, nowMs: number): boolean {
    const last = this.#lastWrite.get(credentialId);
    if (last !== undefined && nowMs - last < this.#intervalMs) return false;
    if (this.#lastWrite.size >= this.#maxEntries) this.#lastWrite.clear();
    this.#lastWrite.set(credentialId, nowMs);
    return true;
  }
}
