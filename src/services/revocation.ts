/**
 * @module services/revocation
 * Ending credentials. `revokeAllCredentials` moves the user's revoked-before
 * moment (D1, the source of truth, and a KV marker that the per-request paths
 * read): every token, family and session issued before it dies. Password
 * changes, deactivation and "log out everywhere" go through it. Each step is
 * awaited: if storage fails the caller gets the error, never a success.
 */
import type { AuthConfig } from '../config';
import type {
  ApiTokenStore,
  RefreshFamilyStore,
  RevocationList,
  SessionStore,
  UserStore,
} from '../storage/types';
import { revokeOtherSessions } from './sessions';
import { accessTokenTtl } from './tokens';

export interface RevocationDeps {
  config: AuthConfig;
  users: UserStore;
  families: RefreshFamilyStore;
  apiTokens: ApiTokenStore;
  revocations: RevocationList;
  sessions: SessionStore;
}

/**
 * How long the KV revoked-before marker must live: as long as the longest
 * credential that is checked against it without reading D1.
 */
export function revokedBeforeTtl(config: AuthConfig): number {
  return Math.max(accessTokenTtl(config), config.SESSION_COOKIE_AGE);
}

/** Revokes everything the user holds; resolves the new revoked-before moment (ms). */
export async function revokeAllCredentials(
  deps: RevocationDeps,
  userId: number,
  reason = 'logoutall',
): Promise<number> {
  const now = Date.now();
  await deps.users.markCredentialsChanged(userId, now);
  await deps.families.revokeAllForUser(userId, reason, now);
  await deps.apiTokens.deleteAllForUser(userId);
  await deps.revocations.setRevokedBefore(userId, now, revokedBeforeTtl(deps.config));
  await revokeOtherSessions(deps, userId);
  return now;
}

/** Deactivates the account and revokes everything it holds. */
export async function deactivateUser(deps: RevocationDeps, userId: number): Promise<void> {
  await deps.users.setActive(userId, false);
  await revokeAllCredentials(deps, userId, 'deactivated');
}

/** The JWT a request authenticated with: what logout revokes. */
export interface JwtCredential {
  kind: 'jwt';
  jti: string;
  /** Seconds. */
  exp: number;
  family: string | undefined;
}

/**
 * Logs out the login an access token belongs to: its refresh family (D1),
 * every access token of that family (KV) and this token itself (KV).
 */
export async function logoutJwt(
  deps: Pick<RevocationDeps, 'config' | 'families' | 'revocations'>,
  credential: JwtCredential,
): Promise<void> {
  const now = Date.now();
  if (credential.family !== undefined) {
    await deps.families.revoke(credential.family, 'logout', now);
    await deps.revocations.revokeFamily(credential.family, accessTokenTtl(deps.config));
  }
  await deps.revocations.revokeToken(credential.jti, credential.exp, now);
}
