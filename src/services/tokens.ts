/**
 * @module services/tokens
 * simplejwt's token views as use cases: obtain a pair, refresh with
 * race-safe rotation and reuse detection, verify, blacklist. No Hono here.
 *
 * Every login (obtain) starts a refresh family in D1. Rotation claims the
 * presented token in one conditional statement, so of any number of
 * concurrent refreshes exactly one rotates; the others, within
 * `REFRESH_TOKEN_REUSE_GRACE` of it, get the same new refresh token again.
 * Outside that window a rotated token presented again is reuse: the family is
 * revoked (refresh tokens in D1, its access tokens through KV) and the answer
 * is simplejwt's `Token is blacklisted`.
 */
import type { AuthConfig } from '../config';
import { InvalidToken, type JwtCodec } from '../crypto/jwt';
import { randomHex } from '../crypto/random';
import { AuthError, ValidationError } from '../errors';
import type {
  RefreshFamily,
  RefreshFamilyStore,
  RevocationList,
  User,
  UserStore,
} from '../storage/types';
import {
  adoptedFamilyId,
  decodeToken,
  familyCreatedAt,
  mintToken,
  newFamilyId,
  type DecodedToken,
} from './token-claims';

export interface TokenDeps {
  config: AuthConfig;
  codec: JwtCodec;
  users: UserStore;
  families: RefreshFamilyStore;
  revocations: RevocationList;
}

export interface TokenPair {
  refresh: string;
  access: string;
}

/** simplejwt's `WWW-Authenticate` on its token views. */
export function bearerChallenge(config: AuthConfig): string {
  return `${config.AUTH_HEADER_TYPES[0]} realm="api"`;
}

/** simplejwt's `InvalidToken` on the token views: 401 `{"detail", "code": "token_not_valid"}`. */
function tokenError(deps: TokenDeps, detail: string, reason: string, cause?: unknown): AuthError {
  return new AuthError('token_not_valid', detail, {
    challenge: bearerChallenge(deps.config),
    reason,
    cause,
  });
}

const INVALID = 'Token is invalid or expired';
const WRONG_TYPE = 'Token has wrong type';
const BLACKLISTED = 'Token is blacklisted';

/** Decodes a token for a token view; wrong types and bad tokens are simplejwt's 401s. */
async function decodeFor(deps: TokenDeps, token: string, type?: 'refresh'): Promise<DecodedToken> {
  let decoded: DecodedToken;
  try {
    decoded = await decodeToken(deps.codec, deps.config, token);
  } catch (err) {
    if (err instanceof InvalidToken) throw tokenError(deps, INVALID, err.reason, err);
    throw err;
  }
  if (type && decoded.type !== type) throw tokenError(deps, WRONG_TYPE, 'wrong type');
  if (decoded.userId === undefined) throw tokenError(deps, INVALID, 'no user id');
  return decoded;
}

function nowSeconds(now: number): number {
  return Math.floor(now / 1000);
}

async function mintAccess(deps: TokenDeps, userId: number, family: string, now: number) {
  const iat = nowSeconds(now);
  const exp = iat + deps.config.ACCESS_TOKEN_LIFETIME;
  return (await mintToken(deps.codec, deps.config, { type: 'access', userId, family, iat, exp }))
    .token;
}

/** Re-signs the family's current refresh token (same `jti`, `iat`, `exp`). */
async function currentRefresh(deps: TokenDeps, family: RefreshFamily): Promise<string> {
  const options = {
    type: 'refresh' as const,
    userId: family.userId,
    family: family.id,
    jti: family.currentJti,
    iat: family.currentIat,
    exp: family.currentExp,
  };
  return (await mintToken(deps.codec, deps.config, options)).token;
}

/** `POST /api/token/`: a new login for an already authenticated user. */
export async function obtainPair(deps: TokenDeps, user: User): Promise<TokenPair> {
  const { config } = deps;
  const now = Date.now();
  const iat = nowSeconds(now);
  const expiresAt = now + config.REFRESH_FAMILY_MAX_LIFETIME * 1000;
  const family = newFamilyId(now);
  const exp = Math.min(iat + config.REFRESH_TOKEN_LIFETIME, nowSeconds(expiresAt));
  const refresh = await mintToken(deps.codec, config, {
    type: 'refresh',
    userId: user.id,
    family,
    iat,
    exp,
  });
  await deps.families.create({
    id: family,
    userId: user.id,
    createdAt: now,
    expiresAt,
    currentJti: refresh.jti,
    currentIat: iat,
    currentExp: exp,
  });
  const access = await mintAccess(deps, user.id, family, now);
  if (config.UPDATE_LAST_LOGIN) await deps.users.recordLogin(user.id, now);
  return { refresh: refresh.token, access };
}

/**
 * The family a refresh token belongs to. A token minted by simplejwt has
 * none: it is adopted into a family derived from its `jti`, once. A login
 * belongs to an account, so the token of an account unknown here (deleted,
 * or never imported) adopts nothing and is answered as a deleted account's
 * token is: its family does not exist.
 */
async function familyOf(deps: TokenDeps, token: DecodedToken): Promise<string> {
  if (token.family !== undefined) return token.family;
  const id = await adoptedFamilyId(token.jti, token.iat);
  if (!(await deps.users.findById(token.userId!))) return id;
  await deps.families.create({
    id,
    userId: token.userId!,
    createdAt: token.iat * 1000,
    expiresAt: (token.iat + deps.config.REFRESH_FAMILY_MAX_LIFETIME) * 1000,
    currentJti: token.jti,
    currentIat: token.iat,
    currentExp: token.exp,
  });
  return id;
}

function inGrace(deps: TokenDeps, family: RefreshFamily, jti: string, now: number): boolean {
  return (
    family.previousJti === jti &&
    family.rotatedAt !== null &&
    now - family.rotatedAt <= deps.config.REFRESH_TOKEN_REUSE_GRACE * 1000
  );
}

/** Reuse of a rotated refresh token: the whole login dies, access tokens included. */
async function revokeForReuse(deps: TokenDeps, family: RefreshFamily, now: number) {
  await deps.families.revoke(family.id, 'reuse', now);
  await deps.revocations.revokeFamily(family.id, accessTokenTtl(deps.config));
}

/** How long a revoked family's access tokens may still be presented (their longest life). */
export function accessTokenTtl(config: AuthConfig): number {
  return config.ACCESS_TOKEN_LIFETIME + config.LEEWAY;
}

/** Why a family cannot be refreshed from at all, as simplejwt's answer; undefined if it can. */
async function unusable(deps: TokenDeps, family: RefreshFamily | null) {
  if (!family || family.revokedAt !== null) return tokenError(deps, BLACKLISTED, 'revoked family');
  if (family.expiresAt <= Date.now()) return tokenError(deps, INVALID, 'family expired');
  const user = await deps.users.findById(family.userId);
  if (!user || !user.isActive) {
    return new AuthError('no_active_account', 'No active account found for the given token.', {
      challenge: bearerChallenge(deps.config),
    });
  }
  if (user.credentialsChangedAt !== null && user.credentialsChangedAt > family.createdAt) {
    return tokenError(deps, BLACKLISTED, 'credentials changed');
  }
  return undefined;
}

/** `POST /api/token/refresh/`: `{access}`, or `{access, refresh}` with rotation. */
export async function refreshPair(
  deps: TokenDeps,
  token: string,
): Promise<{ access: string; refresh?: string }> {
  const { config } = deps;
  const decoded = await decodeFor(deps, token, 'refresh');
  const familyId = await familyOf(deps, decoded);
  const now = Date.now();
  if (config.ROTATE_REFRESH_TOKENS) {
    const iat = nowSeconds(now);
    const rotated = await deps.families.rotate({
      familyId,
      presentedJti: decoded.jti,
      next: { jti: randomHex(16), iat, exp: iat + config.REFRESH_TOKEN_LIFETIME },
      now,
      requireCurrent: config.BLACKLIST_AFTER_ROTATION,
    });
    if (rotated) {
      const access = await mintAccess(deps, rotated.userId, rotated.id, now);
      return { access, refresh: await currentRefresh(deps, rotated) };
    }
  }
  const family = await deps.families.find(familyId);
  const problem = await unusable(deps, family);
  if (problem) throw problem;
  const live = family!;
  if (config.ROTATE_REFRESH_TOKENS && inGrace(deps, live, decoded.jti, now)) {
    const access = await mintAccess(deps, live.userId, live.id, now);
    return { access, refresh: await currentRefresh(deps, live) };
  }
  if (config.BLACKLIST_AFTER_ROTATION && live.currentJti !== decoded.jti) {
    await revokeForReuse(deps, live, now);
    throw tokenError(deps, BLACKLISTED, 'refresh token reuse');
  }
  return { access: await mintAccess(deps, live.userId, live.id, now) };
}

/** When the credential was issued for revoked-before checks (ms): its login's start, if known. */
export function issuedAt(token: DecodedToken): number {
  return token.family !== undefined ? familyCreatedAt(token.family) : token.iat * 1000;
}

/** Whether a refresh token's family no longer allows it (D1: the source of truth). */
async function refreshRevoked(deps: TokenDeps, token: DecodedToken): Promise<boolean> {
  const family = await deps.families.find(await familyOf(deps, token));
  if ((await unusable(deps, family)) !== undefined) return true;
  const rotatedAway =
    family!.currentJti !== token.jti && !inGrace(deps, family!, token.jti, Date.now());
  return deps.config.BLACKLIST_AFTER_ROTATION && rotatedAway;
}

/** Whether a verified token is revoked, by any route: family, token, or revoked-before marker. */
async function isBlacklisted(deps: TokenDeps, token: DecodedToken): Promise<boolean> {
  if (token.type === 'refresh' && (await refreshRevoked(deps, token))) return true;
  const state = await deps.revocations.check({
    jti: token.jti,
    family: token.family,
    userId: token.userId!,
  });
  return (
    state.tokenRevoked ||
    state.familyRevoked ||
    (state.revokedBefore !== null && issuedAt(token) < state.revokedBefore)
  );
}

/** `POST /api/token/verify/`: any valid token type; a revoked one is a 400 as in simplejwt. */
export async function verifyToken(deps: TokenDeps, token: string): Promise<void> {
  const decoded = await decodeFor(deps, token);
  if (await isBlacklisted(deps, decoded)) throw ValidationError.nonField(BLACKLISTED);
}

/**
 * `POST /api/token/blacklist/`: revokes the refresh token's family. Access
 * tokens already issued keep working until they expire, as in simplejwt.
 */
export async function blacklistRefresh(deps: TokenDeps, token: string): Promise<void> {
  const decoded = await decodeFor(deps, token, 'refresh');
  const familyId = await familyOf(deps, decoded);
  const now = Date.now();
  const family = await deps.families.find(familyId);
  if (!family || family.revokedAt !== null) throw tokenError(deps, BLACKLISTED, 'revoked family');
  const current = family.currentJti === decoded.jti || inGrace(deps, family, decoded.jti, now);
  if (!current && deps.config.BLACKLIST_AFTER_ROTATION) {
    await revokeForReuse(deps, family, now);
    throw tokenError(deps, BLACKLISTED, 'refresh token reuse');
  }
  if (!(await deps.families.revoke(familyId, 'blacklist', now))) {
    throw tokenError(deps, BLACKLISTED, 'revoked concurrently');
  }
}
