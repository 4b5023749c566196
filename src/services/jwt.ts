/**
 * @module services/jwt
 * The JWT policy, in one place: verify a token, check its type, and give the
 * revocation verdict. `JWTAuthentication` and simplejwt's token views
 * (refresh, verify, blacklist, logout) all use it. No Hono here.
 *
 * Every login (the login pipeline's JWT credential) starts a refresh family
 * in D1. Rotation claims the presented token in one conditional statement,
 * so of any number of concurrent refreshes exactly one rotates; the others,
 * within `REFRESH_TOKEN_REUSE_GRACE` of it, get the same new refresh token
 * again. Outside that window a rotated token presented again is reuse: the
 * family is revoked (refresh tokens in D1, its access tokens through KV) and
 * the answer is simplejwt's `Token is blacklisted`.
 */
import { InvalidToken } from '../crypto/jwt';
import { randomHex } from '../crypto/random';
import type { ServiceContext } from './context';
import { JwtRejected } from './jwt-errors';
import { decodeToken, familyCreatedAt, type DecodedToken, type TokenType } from './jwt-claims';
import {
  accessTokenTtl,
  currentRefresh,
  familyOf,
  inGrace,
  mintAccess,
  nowSeconds,
  revokeForReuse,
  unusable,
  type TokenPair,
} from './jwt-families';

export { JwtRejected, type JwtRejection } from './jwt-errors';
export type { TokenPair } from './jwt-families';

/** A verified token with a usable user id. */
export type CheckedToken = DecodedToken & { userId: number };

/** The JWT a request authenticated with: what logout revokes. */
export interface JwtCredential {
  kind: 'jwt';
  jti: string;
  /** Seconds. */
  exp: number;
  family: string | undefined;
}

/**
 * Verifies `token` at `now` and checks its type (`expected`; any when
 * absent) and user id claim. Throws {@link JwtRejected}.
 */
async function check(
  ctx: ServiceContext,
  token: string,
  now: number,
  expected?: TokenType,
): Promise<CheckedToken> {
  let decoded: DecodedToken;
  try {
    decoded = await decodeToken(ctx.codec, ctx.config, token, now);
  } catch (err) {
    if (err instanceof InvalidToken) throw new JwtRejected('invalid', err.reason, err);
    throw err;
  }
  if (expected !== undefined && decoded.type !== expected) {
    throw new JwtRejected('wrong_type', 'wrong type');
  }
  if (decoded.userId === undefined) throw new JwtRejected('no_user', 'no user id');
  return decoded as CheckedToken;
}

/** When the credential was issued for revoked-before checks (ms): its login's start, if known. */
function issuedAt(token: DecodedToken): number {
  return token.family !== undefined ? familyCreatedAt(token.family) : token.iat * 1000;
}

/** Whether a refresh token's family no longer allows it (D1: the source of truth). */
async function refreshRevoked(ctx: ServiceContext, token: CheckedToken, now: number) {
  const family = await ctx.stores.refreshFamilies.find(await familyOf(ctx, token));
  if ((await unusable(ctx, family, now)) !== undefined) return true;
  const rotatedAway =
    family!.currentJti !== token.jti && !inGrace(ctx.config, family!, token.jti, now);
  return ctx.config.BLACKLIST_AFTER_ROTATION && rotatedAway;
}

/**
 * The revocation verdict for a verified token: revoked through its login
 * (a refresh token's family in D1), by its own `jti`, through its family's
 * KV entry, or by the user's revoked-before moment. One KV read for an
 * access token; never D1.
 */
async function isRevoked(ctx: ServiceContext, token: CheckedToken, now: number): Promise<boolean> {
  if (token.type === 'refresh' && (await refreshRevoked(ctx, token, now))) return true;
  const query = { jti: token.jti, family: token.family, userId: token.userId };
  const state = await ctx.stores.revocations.check(query);
  return (
    state.tokenRevoked ||
    state.familyRevoked ||
    (state.revokedBefore !== null && issuedAt(token) < state.revokedBefore)
  );
}

async function refresh(ctx: ServiceContext, token: string): Promise<Partial<TokenPair>> {
  const { config, stores } = ctx;
  const now = ctx.clock.now();
  const decoded = await check(ctx, token, now, 'refresh');
  const familyId = await familyOf(ctx, decoded);
  if (config.ROTATE_REFRESH_TOKENS) {
    const iat = nowSeconds(now);
    const rotated = await stores.refreshFamilies.rotate({
      familyId,
      presentedJti: decoded.jti,
      next: { jti: randomHex(16), iat, exp: iat + config.REFRESH_TOKEN_LIFETIME },
      now,
      requireCurrent: config.BLACKLIST_AFTER_ROTATION,
    });
    if (rotated) {
      const access = await mintAccess(ctx, rotated.userId, rotated.id, now);
      return { access, refresh: await currentRefresh(ctx, rotated) };
    }
  }
  const family = await stores.refreshFamilies.find(familyId);
  const problem = await unusable(ctx, family, now);
  if (problem) throw problem;
  const live = family!;
  if (config.ROTATE_REFRESH_TOKENS && inGrace(config, live, decoded.jti, now)) {
    const access = await mintAccess(ctx, live.userId, live.id, now);
    return { access, refresh: await currentRefresh(ctx, live) };
  }
  if (config.BLACKLIST_AFTER_ROTATION && live.currentJti !== decoded.jti) {
    await revokeForReuse(ctx, live, now);
    throw new JwtRejected('blacklisted', 'refresh token reuse');
  }
  return { access: await mintAccess(ctx, live.userId, live.id, now) };
}

async function blacklist(ctx: ServiceContext, token: string): Promise<void> {
  const now = ctx.clock.now();
  const decoded = await check(ctx, token, now, 'refresh');
  const familyId = await familyOf(ctx, decoded);
  const families = ctx.stores.refreshFamilies;
  const family = await families.find(familyId);
  if (!family || family.revokedAt !== null) throw new JwtRejected('blacklisted', 'revoked family');
  const current =
    family.currentJti === decoded.jti || inGrace(ctx.config, family, decoded.jti, now);
  if (!current && ctx.config.BLACKLIST_AFTER_ROTATION) {
    await revokeForReuse(ctx, family, now);
    throw new JwtRejected('blacklisted', 'refresh token reuse');
  }
  if (!(await families.revoke(familyId, 'blacklist', now))) {
    throw new JwtRejected('blacklisted', 'revoked concurrently');
  }
}

export function createJwtService(ctx: ServiceContext) {
  return {
    /**
     * `JWTAuthentication`: the access token's user and credential, or
     * {@link JwtRejected}. One signature check and one KV read.
     */
    async authenticate(token: string): Promise<{ userId: number; credential: JwtCredential }> {
      const now = ctx.clock.now();
      const decoded = await check(ctx, token, now, 'access');
      if (await isRevoked(ctx, decoded, now)) throw new JwtRejected('blacklisted', 'revoked');
      const { jti, exp, family } = decoded;
      return { userId: decoded.userId, credential: { kind: 'jwt', jti, exp, family } };
    },

    /** `POST refresh/`: `{access}`, or `{access, refresh}` with rotation. */
    refresh: (token: string) => refresh(ctx, token),

    /** `POST verify/`: any valid token type; resolves whether it is revoked. */
    async verify(token: string): Promise<{ revoked: boolean }> {
      const now = ctx.clock.now();
      return { revoked: await isRevoked(ctx, await check(ctx, token, now), now) };
    },

    /**
     * `POST blacklist/`: revokes the refresh token's family. Access tokens
     * already issued keep working until they expire, as in simplejwt.
     */
    blacklist: (token: string) => blacklist(ctx, token),

    /**
     * Logs out the login an access token belongs to: its refresh family
     * (D1), every access token of that family (KV) and this token itself (KV).
     */
    async logout(credential: JwtCredential): Promise<void> {
      const now = ctx.clock.now();
      if (credential.family !== undefined) {
        await ctx.stores.refreshFamilies.revoke(credential.family, 'logout', now);
        await ctx.stores.revocations.revokeFamily(credential.family, accessTokenTtl(ctx.config));
      }
      await ctx.stores.revocations.revokeToken(credential.jti, credential.exp, now);
    },
  };
}

export type JwtService = ReturnType<typeof createJwtService>;
