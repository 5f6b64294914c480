import { inspect } from 'node:util';

/**
 * Key material from the configuration. Wrapped so that logging, JSON-serializing or inspecting a config object can
 * never print it: only `reveal()` hands out the bytes.
 */
export class SecretBytes {
  readonly #bytes: Buffer;

  constructor(bytes: Buffer) {
    this.#bytes = Buffer.from(bytes);
  }

  reveal(): Buffer {
    return this.#bytes;
  }

  get length(): number {
    return this.#bytes.length;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return 'SecretBytes [redacted]';
  }
}
