/**
 * @module crypto/jwt-keys
 * The JWS algorithms and key shapes the codec takes, and the error for a key
 * that cannot be imported (which the app answers as a misconfiguration,
 * naming the setting in the log).
 */

/** JWS algorithms edgeauth signs and verifies with. RS256 is allowed but not recommended. */
export const JWT_ALGORITHMS = [
  'HS256',
  'HS384',
  'HS512',
  'ES256',
  'EdDSA',
  'PS256',
  'RS256',
] as const;
export type JwtAlgorithm = (typeof JWT_ALGORITHMS)[number];

export function isHmac(alg: JwtAlgorithm): boolean {
  return alg.startsWith('HS');
}

/** A key as configured: an HMAC secret, a PEM block, or a JWK (parsed JSON). */
export type KeyMaterial = string | Record<string, unknown>;

export interface VerifyingKey {
  key: KeyMaterial;
  alg?: JwtAlgorithm;
  kid?: string;
}

/** A configured key that Web Crypto refuses; `setting` names where it came from. */
export class KeyImportError extends Error {
  constructor(
    readonly setting: string,
    message: string,
  ) {
    super(`Invalid setting ${setting}: ${message}`);
    this.name = 'KeyImportError';
  }
}
