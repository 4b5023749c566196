/**
 * @module crypto/password
 * Password hashing with argon2id (RFC 9106) stored as PHC strings:
 * `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>` (unpadded base64).
 *
 * The argon2id function itself is pluggable: the app uses the WebAssembly
 * build (`argon2-wasm.ts`); `@noble/hashes` (pure JS, same output) is the
 * default here, for the Node scripts that cannot import `.wasm`.
 *
 * Defaults are OWASP's argon2id parameters (19 MiB, 2 passes, 1 lane). A hash
 * made with other parameters still verifies and is reported as needing a
 * re-hash, which the login paths then store. Passwords are hashed as their
 * exact UTF-8 bytes: never trimmed, never normalised.
 */
import { argon2id } from '@noble/hashes/argon2.js';
import { timingSafeEqual } from './compare';
import { fromBase64, toBase64, utf8 } from './encoding';
import { randomBytes } from './random';

export interface Argon2Params {
  /** Memory in KiB. */
  memoryKiB: number;
  /** Passes over memory. */
  iterations: number;
  /** Lanes. */
  parallelism: number;
}

/** OWASP Password Storage Cheat Sheet, argon2id minimum configuration. */
export const OWASP_ARGON2ID: Readonly<Argon2Params> = Object.freeze({
  memoryKiB: 19456,
  iterations: 2,
  parallelism: 1,
});

/** The argon2id function itself, replaceable by a faster implementation of the same RFC. */
export type Argon2idFunction = (
  password: Uint8Array,
  salt: Uint8Array,
  params: Argon2Params & { hashLength: number },
) => Uint8Array | Promise<Uint8Array>;

export const nobleArgon2id: Argon2idFunction = (password, salt, params) =>
  argon2id(password, salt, {
    m: params.memoryKiB,
    t: params.iterations,
    p: params.parallelism,
    dkLen: params.hashLength,
    maxmem: 2 ** 32 - 1,
  });

const ARGON2_VERSION = 0x13;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

export interface VerifyResult {
  valid: boolean;
  /** The stored hash used other parameters than the current ones: store a new hash. */
  needsRehash: boolean;
}

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, encoded: string): Promise<VerifyResult>;
  /**
   * Spends the time of one verification at the current parameters and
   * returns nothing; used for unknown users so that timing does not reveal
   * whether an account exists.
   */
  burn(password: string): Promise<void>;
}

interface Phc {
  params: Argon2Params;
  version: number;
  salt: Uint8Array;
  hash: Uint8Array;
}

/** Parses an argon2id PHC string; `undefined` for anything else. */
export function parsePhc(encoded: string): Phc | undefined {
  const match =
    /^\$argon2id\$v=(\d+)\$m=(\d+),t=(\d+),p=(\d+)\$([A-Za-z0-9+/]+)\$([A-Za-z0-9+/]+)$/.exec(
      encoded,
    );
  if (!match) return undefined;
  const [, version, m, t, p, salt, hash] = match;
  const saltBytes = fromBase64(salt!);
  const hashBytes = fromBase64(hash!);
  if (!saltBytes || !hashBytes || saltBytes.length < 8 || hashBytes.length < 16) return undefined;
  const params = { memoryKiB: Number(m), iterations: Number(t), parallelism: Number(p) };
  // A Worker has 128 MB: a stored hash asking for more than 64 MiB cannot be checked here.
  if (params.memoryKiB > 65_536 || params.iterations > 64 || params.parallelism > 16) {
    return undefined;
  }
  return { params, version: Number(version), salt: saltBytes, hash: hashBytes };
}

export function formatPhc(params: Argon2Params, salt: Uint8Array, hash: Uint8Array): string {
  const { memoryKiB: m, iterations: t, parallelism: p } = params;
  return `$argon2id$v=${ARGON2_VERSION}$m=${m},t=${t},p=${p}$${toBase64(salt, false)}$${toBase64(hash, false)}`;
}

function sameParams(a: Argon2Params, b: Argon2Params): boolean {
  return (
    a.memoryKiB === b.memoryKiB && a.iterations === b.iterations && a.parallelism === b.parallelism
  );
}

/**
 * @param params current parameters (settings `PASSWORD_ARGON2_*`; default {@link OWASP_ARGON2ID})
 * @param kdf the argon2id implementation (default: `@noble/hashes`, pure JS)
 * @example
 * const hasher = createPasswordHasher(OWASP_ARGON2ID);
 * const stored = await hasher.hash('correct horse battery staple');
 * (await hasher.verify('correct horse battery staple', stored)).valid // true
 */
export function createPasswordHasher(
  params: Argon2Params = OWASP_ARGON2ID,
  kdf: Argon2idFunction = nobleArgon2id,
): PasswordHasher {
  const current = Object.freeze({ ...params });
  const derive = async (password: string, salt: Uint8Array, at: Argon2Params, length: number) =>
    kdf(utf8(password), salt, { ...at, hashLength: length });

  return {
    async hash(password) {
      const salt = randomBytes(SALT_BYTES);
      return formatPhc(current, salt, await derive(password, salt, current, HASH_BYTES));
    },
    async verify(password, encoded) {
      const phc = parsePhc(encoded);
      if (!phc || phc.version !== ARGON2_VERSION) {
        await derive(password, randomBytes(SALT_BYTES), current, HASH_BYTES);
        return { valid: false, needsRehash: false };
      }
      const computed = await derive(password, phc.salt, phc.params, phc.hash.length);
      const valid = timingSafeEqual(computed, phc.hash);
      const needsRehash = !sameParams(phc.params, current) || phc.hash.length !== HASH_BYTES;
      return { valid, needsRehash: valid && needsRehash };
    },
    async burn(password) {
      await derive(password, randomBytes(SALT_BYTES), current, HASH_BYTES);
    },
  };
}
