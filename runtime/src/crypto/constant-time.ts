import { timingSafeEqual } from 'node:crypto';

/**
 * The one constant-time comparison of the runtime. Compares two strings (typically hex digests) without leaking, via
 * timing, where they first differ. Different lengths answer false after a same-cost comparison.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left);
    return false;
  }
  return timingSafeEqual(left, right);
}
