/**
 * @module crypto/compare
 * Constant-time comparison for secrets and their digests.
 */
import { utf8 } from './encoding';

/**
 * Compares two byte strings in time that depends only on their lengths, never
 * on where they first differ. Different lengths compare unequal (after the
 * same amount of work as equal lengths).
 *
 * @example
 * timingSafeEqual(storedDigest, await sha256(presented)) // true or false
 */
export function timingSafeEqual(a: Uint8Array | string, b: Uint8Array | string): boolean {
  const left = typeof a === 'string' ? utf8(a) : a;
  const right = typeof b === 'string' ? utf8(b) : b;
  const length = Math.max(left.length, right.length);
  let difference = left.length ^ right.length;
  for (let i = 0; i < length; i++) {
    difference |= (left[i] ?? 0) ^ (right[i] ?? 0);
  }
  return difference === 0;
}

/** SHA-256 digest through Web Crypto. */
export async function sha256(
  data: Uint8Array<ArrayBuffer> | string,
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = typeof data === 'string' ? utf8(data) : data;
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}
