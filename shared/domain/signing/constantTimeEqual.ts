/** String comparison in constant time, for signatures. */

import { timingSafeEqual } from 'node:crypto';

/** Compares two strings without leaking, through timing, how many leading characters match. */
export function constantTimeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  // timingSafeEqual needs equal lengths; a length mismatch only reveals the (public) signature length.
  if (left.length !== right.length) return false;
  return timingSafeEqual(left, right);
}
