/**
 * @module services/jwt-claims
 * simplejwt's token layout: claims `token_type`, `exp`, `iat`, `jti` (32
 * lower-hex), the user id claim (`USER_ID_CLAIM`), `iss`/`aud` when
 * configured, and `fam`, the login (refresh family) the token descends from.
 * Tokens minted elsewhere with the same key (simplejwt's own) carry no
 * `fam` and are still accepted.
 */
import type { AuthConfig } from '../config';
import type { JwtCodec, JwtSettings } from '../crypto/jwt';
import { InvalidToken } from '../crypto/jwt';
import { sha256 } from '../crypto/compare';
import { toHex } from '../crypto/encoding';
import { randomHex } from '../crypto/random';

export type TokenType = 'access' | 'refresh';

/** A token whose signature and registered claims were verified. */
export interface DecodedToken {
  type: unknown;
  jti: string;
  /** Seconds. */
  iat: number;
  exp: number;
  /** Absent or malformed user id claim: undefined. */
  userId: number | undefined;
  /** The refresh family; absent in tokens minted by simplejwt. */
  family: string | undefined;
}

const FAMILY_ID = /^[0-9a-f]{32}$/;

/**
 * The codec's settings from the configuration. The longest `exp - iat` is
 * that of an access token refreshed by simplejwt, which keeps its refresh
 * token's `iat`: refreshed up to `LEEWAY` after the refresh token expired, it
 * lives `ACCESS_TOKEN_LIFETIME` more.
 */
export function codecSettings(config: AuthConfig): JwtSettings {
  return {
    algorithm: config.ALGORITHM,
    signingKey: config.SIGNING_KEY ?? config.SECRET_KEY,
    signingKeyId: config.SIGNING_KEY_ID,
    verifyingKeys: config.VERIFYING_KEYS,
    issuer: config.ISSUER,
    audience: config.AUDIENCE,
    leeway: config.LEEWAY,
    maxLifetime: config.REFRESH_TOKEN_LIFETIME + config.ACCESS_TOKEN_LIFETIME + config.LEEWAY,
  };
}

/** A new family id: creation time (12 hex digits of ms), then 80 random bits. */
export function newFamilyId(now: number): string {
  return Math.floor(now).toString(16).padStart(12, '0') + randomHex(10);
}

/** When the family began (ms), read from its id. */
export function familyCreatedAt(family: string): number {
  return parseInt(family.slice(0, 12), 16);
}

/**
 * The family of a refresh token minted without one (by simplejwt): derived
 * from its `jti`, so concurrent refreshes of it agree on one family.
 */
export async function adoptedFamilyId(jti: string, iat: number): Promise<string> {
  return (iat * 1000).toString(16).padStart(12, '0') + toHex(await sha256(jti)).slice(0, 20);
}

function userIdFrom(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) return value;
  if (typeof value === 'string' && /^[1-9]\d{0,15}$/.test(value)) return Number(value);
  return undefined;
}

/** Verifies and reads a token at `now` (ms); throws `InvalidToken`. */
export async function decodeToken(
  codec: JwtCodec,
  config: AuthConfig,
  token: string,
  now: number,
): Promise<DecodedToken> {
  const claims = await codec.verify(token, now);
  const { jti, iat, exp, fam } = claims as Record<string, unknown>;
  if (typeof jti !== 'string' || jti === '' || jti.length > 255) throw new InvalidToken('claims');
  if (typeof iat !== 'number' || typeof exp !== 'number') throw new InvalidToken('claims');
  if (fam !== undefined && (typeof fam !== 'string' || !FAMILY_ID.test(fam))) {
    throw new InvalidToken('claims');
  }
  return {
    type: claims.token_type,
    jti,
    iat,
    exp,
    userId: userIdFrom(claims[config.USER_ID_CLAIM]),
    family: fam as string | undefined,
  };
}

export interface MintOptions {
  type: TokenType;
  userId: number;
  family: string;
  /** Seconds. */
  iat: number;
  exp: number;
  jti?: string;
}

/** Signs a token with simplejwt's claim order. */
export async function mintToken(
  codec: JwtCodec,
  config: AuthConfig,
  options: MintOptions,
): Promise<{ token: string; jti: string }> {
  const jti = options.jti ?? randomHex(16);
  const claims: Record<string, unknown> = {
    token_type: options.type,
    exp: options.exp,
    iat: options.iat,
    jti,
    [config.USER_ID_CLAIM]: options.userId,
    fam: options.family,
  };
  if (config.ISSUER !== undefined) claims.iss = config.ISSUER;
  if (config.AUDIENCE !== undefined) claims.aud = config.AUDIENCE;
  return { token: await codec.sign(claims), jti };
}
