/**
 * @module storage/kv/keys
 * Every KV key edgeauth writes, in one place (documented in
 * `docs/storage-schema.md`). Identifiers that arrive from outside (a `jti`,
 * a session id, a family id) are hashed before they become part of a key.
 */
import { sha256 } from '../../crypto/compare';
import { toHex } from '../../crypto/encoding';

/** KV refuses an `expirationTtl` below 60 seconds. */
export const KV_MIN_EXPIRATION_TTL_SECONDS = 60;

/** A TTL that KV accepts: whole seconds, at least the minimum. */
export function kvTtl(seconds: number): number {
  return Math.max(KV_MIN_EXPIRATION_TTL_SECONDS, Math.ceil(seconds));
}

async function hashed(prefix: string, id: string): Promise<string> {
  return `${prefix}:${toHex(await sha256(id))}`;
}

export const kvKeys = {
  /** A revoked token, by `jti`. */
  revokedToken: (jti: string) => hashed('jti', jti),
  /** A revoked login: a refresh family, whose access tokens die with it. */
  revokedFamily: (family: string) => hashed('fam', family),
  /** The user's revoked-before marker. */
  user: (userId: number) => `user:${userId}`,
  /** A session record, by its public id (itself a digest of the session id). */
  session: (publicId: string) => `sess:${publicId}`,
  /** A session that ended: outlives any late "last seen" write of it. */
  endedSession: (publicId: string) => `sessend:${publicId}`,
  /** One entry per session of a user, with the session's details as metadata. */
  userSession: (userId: number, publicId: string) => `usess:${userId}:${publicId}`,
  userSessionPrefix: (userId: number) => `usess:${userId}:`,
  /** A mail in the development outbox (`ENVIRONMENT=development` only). */
  outbox: (suffix: string) => `outbox:${suffix}`,
  outboxPrefix: 'outbox:',
};
