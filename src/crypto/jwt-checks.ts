/**
 * @module crypto/jwt-checks
 * The parts of the JWT verification policy that jose leaves open, used by
 * `crypto/jwt` (the only module that imports jose): one spelling per token
 * (canonical base64url; strict UTF-8 JSON objects without a byte order mark),
 * the header parameters refused, and bounds on the time claims.
 */
import { decodeUtf8, fromCanonicalBase64Url } from './encoding';

/** Longest token accepted; edgeauth's own are under 600 bytes. */
export const MAX_TOKEN_LENGTH = 4096;

/**
 * The latest NumericDate (`exp`, `iat`, `nbf`) accepted: 9999-12-31T23:59:59Z.
 * It is the end of Python's `datetime`, which simplejwt turns these claims
 * into (beyond it simplejwt fails with a 500), and it keeps every time
 * computed from a claim in milliseconds an exact integer (below 2^53) that
 * fits the 12 hex digits of a family id's time prefix.
 */
export const MAX_NUMERIC_DATE = 253_402_300_799;
const NUMERIC_DATE_CLAIMS = ['exp', 'iat', 'nbf'] as const;

const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const FORBIDDEN_HEADERS = ['jwk', 'jku', 'x5u', 'x5c', 'x5t', 'x5t#S256', 'b64', 'crit'];

/** Why a token was refused; for the log only (the client sees a generic message). */
export type InvalidTokenReason =
  | 'oversize'
  | 'malformed'
  | 'forbidden header'
  | 'unknown key'
  | 'signature'
  | 'expired'
  | 'claims';

export class InvalidToken extends Error {
  constructor(
    readonly reason: InvalidTokenReason,
    cause?: unknown,
  ) {
    super(`invalid token: ${reason}`, { cause });
    this.name = 'InvalidToken';
  }
}

/**
 * A header or payload segment as a JSON object, decoded strictly: canonical
 * base64url, UTF-8 that decodes without replacement, no byte order mark.
 */
function strictJsonSegment(segment: string): Record<string, unknown> {
  const bytes = fromCanonicalBase64Url(segment);
  if (!bytes) throw new InvalidToken('malformed');
  let value: unknown;
  try {
    const text = decodeUtf8(bytes);
    if (text.startsWith('\uFEFF')) throw new Error('byte order mark');
    value = JSON.parse(text);
  } catch (err) {
    throw new InvalidToken('malformed', err);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidToken('malformed');
  }
  return value as Record<string, unknown>;
}

/**
 * The protected header, refused if the token is not strictly encoded, or if
 * the header carries keys, key URLs or `crit`. The payload is only checked
 * for its encoding here; its claims are read after the signature.
 */
export function checkedHeader(token: string): { alg?: string; kid?: string } {
  if (token.length > MAX_TOKEN_LENGTH) throw new InvalidToken('oversize');
  if (!COMPACT_JWS.test(token)) throw new InvalidToken('malformed');
  const [header, payload, signature] = token.split('.') as [string, string, string];
  if (!fromCanonicalBase64Url(signature)) throw new InvalidToken('malformed');
  const fields = strictJsonSegment(header);
  strictJsonSegment(payload);
  if (FORBIDDEN_HEADERS.some((name) => Object.hasOwn(fields, name))) {
    throw new InvalidToken('forbidden header');
  }
  return fields as { alg?: string; kid?: string };
}

/**
 * The time claims jose has not bounded: whole seconds from 0 to
 * {@link MAX_NUMERIC_DATE}, `iat` not in the future, and `exp - iat` at most
 * `maxLifetime` (a validly signed token with `exp: 1e308` never verifies).
 */
export function checkTimes(
  payload: Readonly<Record<string, unknown>>,
  limits: { leeway: number; maxLifetime: number },
  now: number,
): void {
  for (const claim of NUMERIC_DATE_CLAIMS) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isInteger(value)) throw new InvalidToken('claims');
    if (value < 0 || value > MAX_NUMERIC_DATE) {
      throw new InvalidToken('claims');
    }
  }
  const { exp, iat } = payload as { exp: number; iat: number };
  if (iat > now / 1000 + limits.leeway) throw new InvalidToken('claims');
  if (exp - iat > limits.maxLifetime) throw new InvalidToken('claims');
}
