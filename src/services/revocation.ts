/**
 * @module services/revocation
 * Revoking everything a user holds: "log out everywhere", and deactivating
 * the account. No Hono here.
 *
 * The user's `credentials_changed_at` (D1) moves, which refresh, opaque-token
 * authentication and rotation check; every refresh family is revoked; opaque
 * tokens are deleted; and a revoked-before marker goes to KV, which is what
 * access tokens and sessions are checked against without reading D1.
 */
import type { AuthConfig } from '../config';
import type { ServiceContext } from './context';
import { accessTokenTtl } from './jwt-families';
import { revokeOtherSessions } from './sessions';

/**
 * How long the KV revoked-before marker must live: as long as the longest
 * credential that is checked against it without reading D1.
 */
export function revokedBeforeTtl(config: AuthConfig): number {
  return Math.max(accessTokenTtl(config), config.SESSION_COOKIE_AGE);
}

/** Revokes everything the user holds; resolves the new revoked-before moment (ms). */
export async function revokeAll(
  ctx: ServiceContext,
  userId: number,
  reason: string,
): Promise<number> {
  const { stores } = ctx;
  const now = ctx.clock.now();
  await stores.users.markCredentialsChanged(userId, now);
  await stores.refreshFamilies.revokeAllForUser(userId, reason, now);
  await stores.apiTokens.deleteAllForUser(userId);
  await stores.revocations.setRevokedBefore(userId, now, revokedBeforeTtl(ctx.config));
  await revokeOtherSessions(ctx, userId);
  return now;
}

export function createRevocationService(ctx: ServiceContext) {
  return {
    /** Revokes everything the user holds; resolves the new revoked-before moment (ms). */
    revokeAllCredentials: (userId: number, reason = 'logoutall') => revokeAll(ctx, userId, reason),

    /** Deactivates the account and revokes everything it holds. */
    async deactivateUser(userId: number): Promise<void> {
      await ctx.stores.users.setActive(userId, false);
      await revokeAll(ctx, userId, 'deactivated');
    },
  };
}

export type RevocationService = ReturnType<typeof createRevocationService>;
