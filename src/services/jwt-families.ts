/**
 * @module services/jwt-families
 * Logins as refresh families (D1): starting one, adopting a simplejwt token
 * into one, whether one may still refresh, and minting the family's tokens.
 * Every function takes the use case's `now`.
 */
import type { AuthConfig } from '../config';
import type { RefreshFamily, User } from '../storage/types';
import type { ServiceContext } from './context';
import { JwtRejected } from './jwt-errors';
import { adoptedFamilyId, mintToken, newFamilyId, type DecodedToken } from './jwt-claims';

export interface TokenPair {
  refresh: string;
  access: string;
}

export function nowSeconds(now: number): number {
  return Math.floor(now / 1000);
}

/** How long a revoked family's access tokens may still be presented (their longest life). */
export function accessTokenTtl(config: AuthConfig): number {
  return config.ACCESS_TOKEN_LIFETIME + config.LEEWAY;
}

export async function mintAccess(ctx: ServiceContext, userId: number, family: string, now: number) {
  const iat = nowSeconds(now);
  const exp = iat + ctx.config.ACCESS_TOKEN_LIFETIME;
  const options = { type: 'access' as const, userId, family, iat, exp };
  return (await mintToken(ctx.codec, ctx.config, options)).token;
}

/** Re-signs the family's current refresh token (same `jti`, `iat`, `exp`). */
export async function currentRefresh(ctx: ServiceContext, family: RefreshFamily): Promise<string> {
  const options = {
    type: 'refresh' as const,
    userId: family.userId,
    family: family.id,
    jti: family.currentJti,
    iat: family.currentIat,
    exp: family.currentExp,
  };
  return (await mintToken(ctx.codec, ctx.config, options)).token;
}

/** A new login: a refresh family in D1, and its first pair. */
export async function startFamily(
  ctx: ServiceContext,
  user: User,
  now: number,
): Promise<TokenPair> {
  const { config } = ctx;
  const iat = nowSeconds(now);
  const expiresAt = now + config.REFRESH_FAMILY_MAX_LIFETIME * 1000;
  const family = newFamilyId(now);
  const exp = Math.min(iat + config.REFRESH_TOKEN_LIFETIME, nowSeconds(expiresAt));
  const options = { type: 'refresh' as const, userId: user.id, family, iat, exp };
  const refresh = await mintToken(ctx.codec, config, options);
  await ctx.stores.refreshFamilies.create({
    id: family,
    userId: user.id,
    createdAt: now,
    expiresAt,
    currentJti: refresh.jti,
    currentIat: iat,
    currentExp: exp,
  });
  return { refresh: refresh.token, access: await mintAccess(ctx, user.id, family, now) };
}

/**
 * The family a refresh token belongs to. A token minted by simplejwt has
 * none: it is adopted into a family derived from its `jti`, once. A login
 * belongs to an account, so the token of an account unknown here (deleted,
 * or never imported) adopts nothing and is answered as a deleted account's
 * token is: its family does not exist.
 */
export async function familyOf(ctx: ServiceContext, token: DecodedToken): Promise<string> {
  if (token.family !== undefined) return token.family;
  const id = await adoptedFamilyId(token.jti, token.iat);
  if (!(await ctx.stores.users.findById(token.userId!))) return id;
  await ctx.stores.refreshFamilies.create({
    id,
    userId: token.userId!,
    createdAt: token.iat * 1000,
    expiresAt: (token.iat + ctx.config.REFRESH_FAMILY_MAX_LIFETIME) * 1000,
    currentJti: token.jti,
    currentIat: token.iat,
    currentExp: token.exp,
  });
  return id;
}

/** The token was rotated away within `REFRESH_TOKEN_REUSE_GRACE`: a concurrent refresh. */
export function inGrace(
  config: AuthConfig,
  family: RefreshFamily,
  jti: string,
  now: number,
): boolean {
  return (
    family.previousJti === jti &&
    family.rotatedAt !== null &&
    now - family.rotatedAt <= config.REFRESH_TOKEN_REUSE_GRACE * 1000
  );
}

/** Reuse of a rotated refresh token: the whole login dies, access tokens included. */
export async function revokeForReuse(ctx: ServiceContext, family: RefreshFamily, now: number) {
  await ctx.stores.refreshFamilies.revoke(family.id, 'reuse', now);
  await ctx.stores.revocations.revokeFamily(family.id, accessTokenTtl(ctx.config));
}

/** Why a family cannot be refreshed from at all; undefined if it can. */
export async function unusable(
  ctx: ServiceContext,
  family: RefreshFamily | null,
  now: number,
): Promise<JwtRejected | undefined> {
  if (!family || family.revokedAt !== null) return new JwtRejected('blacklisted', 'revoked family');
  if (family.expiresAt <= now) return new JwtRejected('invalid', 'family expired');
  const user = await ctx.stores.users.findById(family.userId);
  if (!user || !user.isActive) return new JwtRejected('inactive_account', 'no active account');
  if (user.credentialsChangedAt !== null && user.credentialsChangedAt > family.createdAt) {
    return new JwtRejected('blacklisted', 'credentials changed');
  }
  return undefined;
}
