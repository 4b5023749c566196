/**
 * @module fuzz/model
 * What the fuzzer generates: a request described symbolically, so that a
 * case (and its shrunk counterexample) is the same value whatever the state
 * of storage. Credentials are references (`{ ref: 'access' }`) resolved at
 * run time against the current credential pool; secrets the request carries
 * are collected while resolving, so the oracle knows what must not come back.
 */

/** The two configurations under test (see `targets.ts`). */
export type TargetName = 'default' | 'cookie-es256';

/** What the pool holds for one configuration, all obtained through the API. */
export interface Pool {
  userId: number;
  username: string;
  password: string;
  access: string;
  refresh: string;
  token: string;
  tokenId: string;
  scopedToken: string;
  sessionId: string;
  sessionPublicId: string;
  csrf: string;
  /** The server's own secrets: SECRET_KEY, and the private part of an asymmetric key. */
  serverSecrets: string[];
}

export type PoolKey = Exclude<keyof Pool, 'serverSecrets'> | 'secretKey';

/** How a resolved value is written into its surroundings. */
export type Encoding = 'raw' | 'json' | 'url';

/** Claims and header of a JWT the fuzzer signs itself (HS256, with the test SECRET_KEY). */
export interface ForgedJwt {
  header: Record<string, unknown>;
  /** Claims; numbers under `relativeTimes` are seconds from now. */
  claims: Record<string, unknown>;
  relativeTimes: readonly string[];
  /** Replaces the signature segment (non-canonical base64, empty, junk). */
  signature?: string;
}

/** One piece of a generated text. */
export type Part =
  | string
  | { ref: PoolKey; enc: Encoding }
  /** A random secret-looking string: it must never come back. */
  | { secret: string; enc: Encoding }
  | { forged: ForgedJwt; enc: Encoding }
  /** `Basic` credentials: base64 of the UTF-8 of the resolved text. */
  | { basic: Text }
  /** `text` repeated `times` times: huge and deep bodies without huge counterexamples. */
  | { repeat: string; times: number };

export type Text = readonly Part[];

export type Body =
  | { kind: 'text'; text: Text; charset?: 'utf-8' | 'utf-16le' | 'latin1'; bom?: boolean }
  | { kind: 'bytes'; bytes: Uint8Array };

export interface FuzzCase {
  target: TargetName;
  method: string;
  /** Path and query, already percent-encoded where the generator meant it. */
  path: Text;
  headers: readonly (readonly [string, Text])[];
  body?: Body;
}

/**
 * Which pool values are secrets, and the part of each that is unique to it
 * (a JWT's header and claims are alike across tokens; its signature is not).
 * The CSRF token is not one: the login and logout pages must carry it back,
 * as Django's do, and it authenticates nothing alone.
 */
export function fingerprint(key: PoolKey, value: string): string | undefined {
  switch (key) {
    case 'access':
    case 'refresh':
      return value.split('.')[2];
    case 'token':
    case 'scopedToken':
      return value.split('_')[2];
    case 'sessionId':
      return value.split('.')[1];
    case 'password':
    case 'secretKey':
      return value;
    default:
      return undefined;
  }
}
