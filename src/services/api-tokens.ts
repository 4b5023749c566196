/**
 * @module services/api-tokens
 * Opaque API tokens, knox-style: created with a name, an optional expiry and
 * optional scopes; the plaintext is returned once; authentication finds the
 * token by its identifier (or, for imported DRF keys, by digest) and compares
 * digests in constant time. No Hono here.
 */
import type { AuthConfig } from '../config';
import { timingSafeEqual } from '../crypto/compare';
import { generateToken, parseToken, tokenDigest } from '../crypto/opaque-token';
import { AuthError, permissionDenied } from '../errors';
import type { ApiToken, User } from '../storage/types';
import type { ServiceContext } from './context';

/** How a token came to be. */
export type TokenOrigin = 'api-token-auth' | 'api' | 'import';

export interface NewApiToken {
  name: string;
  /** Seconds; undefined: `TOKEN_TTL` (or never). */
  lifetime?: number | undefined;
  scopes?: readonly string[] | null | undefined;
  via: TokenOrigin;
}

export const TOKEN_LIMIT_EXCEEDED = 'Maximum amount of tokens allowed per user exceeded.';

/**
 * Creates a token within `TOKEN_LIMIT_PER_USER`. DRF's `/api-token-auth/`
 * issues a token per call, so there the least recently used token it issued
 * before makes room; elsewhere the limit is a 403.
 */
export async function createApiToken(
  ctx: ServiceContext,
  user: User,
  options: NewApiToken,
  now: number,
): Promise<{ token: string; record: ApiToken }> {
  const { config } = ctx;
  const tokens = ctx.stores.apiTokens;
  const { token, id } = generateToken(config.TOKEN_PREFIX);
  const lifetime = options.lifetime ?? config.TOKEN_TTL;
  const record: ApiToken = {
    id,
    digest: await tokenDigest(token),
    userId: user.id,
    name: options.name,
    createdAt: now,
    expiresAt: lifetime === undefined ? null : now + lifetime * 1000,
    lastUsedAt: null,
    scopes: options.scopes ?? null,
    createdVia: options.via,
  };
  const limit = config.TOKEN_LIMIT_PER_USER;
  let created = await tokens.createWithinLimit(record, limit, now);
  if (!created && options.via === 'api-token-auth') {
    if (await tokens.evictLeastRecentlyUsed(user.id, 'api-token-auth')) {
      created = await tokens.createWithinLimit(record, limit, now);
    }
  }
  if (!created) throw permissionDenied(TOKEN_LIMIT_EXCEEDED);
  return { token, record };
}

function invalid(reason: string): AuthError {
  return new AuthError('authentication_failed', 'Invalid token.', { reason });
}

/**
 * DRF's `TokenAuthentication.authenticate_credentials`: the token and its
 * active owner, or DRF's error. A malformed token never reaches storage.
 */
async function authenticate(
  ctx: ServiceContext,
  presented: string,
): Promise<{ token: ApiToken; user: User; touch?: () => Promise<void> }> {
  const tokens = ctx.stores.apiTokens;
  const parsed = parseToken(presented, ctx.config.TOKEN_PREFIX);
  if (!parsed) throw invalid('malformed or bad checksum');
  const digest = await tokenDigest(presented);
  const found = await tokens.findWithUser(
    parsed.kind === 'edgeauth' ? { id: parsed.id } : { digest },
  );
  if (!found || !timingSafeEqual(found.token.digest, digest)) throw invalid('unknown token');
  const { token, user } = found;
  const now = ctx.clock.now();
  if (token.expiresAt !== null && token.expiresAt <= now) throw invalid('expired');
  if (!user.isActive) throw new AuthError('authentication_failed', 'User inactive or deleted.');
  if (user.credentialsChangedAt !== null && token.createdAt < user.credentialsChangedAt) {
    throw invalid('issued before the credentials changed');
  }
  const pending = pendingTouch(ctx.config, token, now);
  if (!pending) return found;
  const touch = () => tokens.touch(token.id, pending.lastUsedAt, pending.expiresAt);
  return { ...found, touch };
}

/**
 * The write a use of `token` calls for, if any: `last_used` (and, with
 * `TOKEN_AUTO_REFRESH`, a later expiry), at most once per
 * `TOKEN_MIN_REFRESH_INTERVAL`, never past `TOKEN_AUTO_REFRESH_MAX_TTL`.
 */
function pendingTouch(
  config: AuthConfig,
  token: ApiToken,
  now: number,
): { lastUsedAt: number; expiresAt?: number } | undefined {
  const interval = config.TOKEN_MIN_REFRESH_INTERVAL * 1000;
  if (token.lastUsedAt !== null && now - token.lastUsedAt < interval) return undefined;
  const touch: { lastUsedAt: number; expiresAt?: number } = { lastUsedAt: now };
  if (config.TOKEN_AUTO_REFRESH && token.expiresAt !== null && config.TOKEN_TTL !== undefined) {
    const cap = token.createdAt + config.TOKEN_AUTO_REFRESH_MAX_TTL * 1000;
    touch.expiresAt = Math.max(token.expiresAt, Math.min(now + config.TOKEN_TTL * 1000, cap));
  }
  return touch;
}

/** The token as the management API lists it: never the secret or its digest. */
export function describeToken(token: ApiToken, current?: string) {
  const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return {
    id: token.id,
    name: token.name,
    created: iso(token.createdAt),
    expires: iso(token.expiresAt),
    last_used: iso(token.lastUsedAt),
    scopes: token.scopes,
    created_via: token.createdVia,
    current: token.id === current,
  };
}

export function createApiTokenService(ctx: ServiceContext) {
  const tokens = ctx.stores.apiTokens;
  return {
    /**
     * `TokenAuthentication`: the token, its active owner, and the throttled
     * `last_used` write its use calls for (run it after the answer).
     */
    authenticate: (presented: string) => authenticate(ctx, presented),

    /** A token the user creates through the management API. */
    create: (user: User, options: NewApiToken) =>
      createApiToken(ctx, user, options, ctx.clock.now()),

    list: (userId: number) => tokens.listForUser(userId),

    /** Revokes one of the user's tokens; false when the user has no token with that id. */
    revoke: (userId: number, id: string) => tokens.delete(userId, id),

    /** Revokes every token of the user; resolves how many. */
    revokeAll: (userId: number) => tokens.deleteAllForUser(userId),
  };
}

export type ApiTokenService = ReturnType<typeof createApiTokenService>;
