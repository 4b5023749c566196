/**
 * @module config/keys
 * Parsers for JWT key settings. They check shape only (a PEM block, a JWK
 * object, a secret's strength); `crypto/jwt.ts` imports the keys.
 */
import {
  JWT_ALGORITHMS,
  type JwtAlgorithm,
  type KeyMaterial,
  type VerifyingKey,
} from '../crypto/jwt-keys';
import { ConfigError, parseJson, type Parser } from './parse';

export {
  JWT_ALGORITHMS,
  isHmac,
  type JwtAlgorithm,
  type KeyMaterial,
  type VerifyingKey,
} from '../crypto/jwt-keys';

/** A PEM block, or a JWK given as a JSON object; anything else is an HMAC secret. */
export function keyMaterial(raw: string, name: string): KeyMaterial {
  const trimmed = raw.trim();
  if (trimmed.startsWith('{')) {
    const jwk = parseJson(trimmed, name);
    if (
      typeof jwk !== 'object' ||
      jwk === null ||
      typeof (jwk as { kty?: unknown }).kty !== 'string'
    ) {
      throw new ConfigError(name, 'is JSON but not a JWK (no "kty")');
    }
    return jwk as Record<string, unknown>;
  }
  if (trimmed.startsWith('-----BEGIN')) {
    if (!/^-----BEGIN ([A-Z ]+)-----[\s\S]+-----END \1-----$/.test(trimmed)) {
      throw new ConfigError(name, 'is not a complete PEM block');
    }
    return trimmed.replace(/\\n/g, '\n');
  }
  return raw;
}

function checkEntry(entry: Record<string, unknown>, name: string): void {
  const { key, alg, kid } = entry;
  if (typeof key !== 'string' && (typeof key !== 'object' || key === null)) {
    throw new ConfigError(name, 'an entry has no "key"');
  }
  if (alg !== undefined && !(JWT_ALGORITHMS as readonly unknown[]).includes(alg)) {
    throw new ConfigError(name, `an entry has an unknown "alg": ${String(alg)}`);
  }
  if (kid !== undefined && (typeof kid !== 'string' || kid === '')) {
    throw new ConfigError(name, 'an entry has an empty or non-string "kid"');
  }
}

function verifyingKey(entry: unknown, name: string): VerifyingKey {
  if (typeof entry === 'string') return { key: keyMaterial(entry, name) };
  if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
    throw new ConfigError(name, 'entries must be keys or {"key", "alg", "kid"} objects');
  }
  const fields = entry as Record<string, unknown>;
  checkEntry(fields, name);
  const key = fields.key as string | Record<string, unknown>;
  return {
    key: typeof key === 'string' ? keyMaterial(key, name) : key,
    ...(fields.alg === undefined ? {} : { alg: fields.alg as JwtAlgorithm }),
    ...(fields.kid === undefined ? {} : { kid: fields.kid as string }),
  };
}

/** `VERIFYING_KEYS`: a JSON (or TOML) array of keys or `{key, alg, kid}` objects. */
export const verifyingKeys: Parser<readonly VerifyingKey[]> = (raw, name) => {
  const value = typeof raw === 'string' ? parseJson(raw, name) : raw;
  if (!Array.isArray(value)) throw new ConfigError(name, 'expected a JSON array of keys');
  return Object.freeze(value.map((entry) => verifyingKey(entry, name)));
};

export const signingKey: Parser<KeyMaterial> = (raw, name) => {
  if (typeof raw !== 'string') throw new ConfigError(name, 'expected a string');
  return keyMaterial(raw, name);
};
