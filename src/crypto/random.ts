/**
 * @module crypto/random
 * Random secrets from the platform's CSPRNG (`crypto.getRandomValues`).
 */
import { toBase64Url, toHex } from './encoding';

export function randomBytes(length: number): Uint8Array<ArrayBuffer> {
  return crypto.getRandomValues(new Uint8Array(length));
}

/** `bytes` random bytes as base64url (43 characters for 32 bytes). */
export function randomToken(bytes = 32): string {
  return toBase64Url(randomBytes(bytes));
}

/** `bytes` random bytes as lower-case hex (a simplejwt `jti` is 16 bytes: 32 hex). */
export function randomHex(bytes = 16): string {
  return toHex(randomBytes(bytes));
}

const ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * A random string over `alphabet`, without modulo bias (rejection sampling).
 * Django's CSRF tokens are 64 alphanumerics; its session keys 32 of `[a-z0-9]`.
 */
export function randomString(length: number, alphabet = ALPHANUMERIC): string {
  const limit = 256 - (256 % alphabet.length);
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length * 2)) {
      if (byte < limit && out.length < length) out += alphabet[byte % alphabet.length];
    }
  }
  return out;
}
