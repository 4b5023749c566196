/**
 * @module services/sessions
 * Browser sessions: start (which rotates any earlier session: no fixation),
 * validate with an absolute lifetime and a sliding idle timeout, end, list
 * and revoke. No Hono here.
 *
 * The session id is the cookie value `<user id>.<32 random [a-z0-9]>`; KV
 * never sees it, only its digest (the public id). Carrying the user id lets
 * one bulk KV read fetch the session and the user's revoked-before marker
 * together.
 */
import type { AuthConfig } from '../config';
import { sha256 } from '../crypto/compare';
import { toHex } from '../crypto/encoding';
import { randomString } from '../crypto/random';
import type { SessionRecord, User } from '../storage/types';
import type { ServiceContext } from './context';

const SESSION_ID = /^([1-9]\d{0,15})\.([a-z0-9]{32})$/;
const LOWER_ALPHANUMERIC = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** The public id of a session: a digest of its secret id, safe to show and to key KV with. */
export async function publicSessionId(sessionId: string): Promise<string> {
  return toHex(await sha256(sessionId)).slice(0, 32);
}

/** The user id inside a well-formed session id; undefined for anything else. */
export function sessionUserId(sessionId: string): number | undefined {
  const match = SESSION_ID.exec(sessionId);
  return match ? Number(match[1]) : undefined;
}

/** A well-formed public session id (as the session list shows it). */
export function isPublicSessionId(id: string): boolean {
  return /^[0-9a-f]{32}$/.test(id);
}

/** Seconds until the record must be gone: the sooner of idle timeout and absolute end. */
function ttl(config: AuthConfig, record: SessionRecord, now: number): number {
  const end = Math.min(record.expiresAt, record.lastSeenAt + config.SESSION_IDLE_TIMEOUT * 1000);
  return (end - now) / 1000;
}

/** An ended session's tombstone lives as long as the session itself could have. */
export function tombstoneTtl(config: AuthConfig): number {
  return config.SESSION_COOKIE_AGE;
}

export interface ClientDetails {
  userAgent: string | null;
  ip: string | null;
}

export interface LiveSession {
  publicId: string;
  record: SessionRecord;
  /** The throttled "last seen" write this use calls for, if any (run it after the answer). */
  touch?: () => Promise<void>;
}

/** Ends a session by its cookie value (anything malformed ends nothing). */
async function end(ctx: ServiceContext, sessionId: string): Promise<void> {
  const userId = sessionUserId(sessionId);
  if (userId === undefined) return;
  const publicId = await publicSessionId(sessionId);
  await ctx.stores.sessions.delete(publicId, userId, tombstoneTtl(ctx.config));
}

/**
 * Starts a session for `user` at `now`; any session the browser already had
 * (`previous`, its cookie value) ends first: no fixation. Resolves the new
 * session id (the cookie value) and its public id.
 */
async function start(
  ctx: ServiceContext,
  user: User,
  client: ClientDetails,
  previous: string | undefined,
  now: number,
): Promise<{ sessionId: string; publicId: string }> {
  if (previous !== undefined) await end(ctx, previous);
  const sessionId = `${user.id}.${randomString(32, LOWER_ALPHANUMERIC)}`;
  const publicId = await publicSessionId(sessionId);
  const record: SessionRecord = {
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + ctx.config.SESSION_COOKIE_AGE * 1000,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    ip: client.ip,
  };
  await ctx.stores.sessions.put(publicId, record, ttl(ctx.config, record, now));
  return { sessionId, publicId };
}

/**
 * The live session for a cookie value, or null when it is malformed,
 * unknown, past its absolute end, idle too long, or issued before the user's
 * revoked-before moment. One KV read.
 */
async function validate(ctx: ServiceContext, sessionId: string): Promise<LiveSession | null> {
  const { config, stores } = ctx;
  const userId = sessionUserId(sessionId);
  if (userId === undefined) return null;
  const publicId = await publicSessionId(sessionId);
  const { record, revokedBefore } = await stores.sessions.read(publicId, userId);
  const now = ctx.clock.now();
  if (!record || record.userId !== userId) return null;
  if (record.expiresAt <= now) return null;
  if (now - record.lastSeenAt >= config.SESSION_IDLE_TIMEOUT * 1000) return null;
  if (revokedBefore !== null && record.createdAt < revokedBefore) return null;
  const live: LiveSession = { publicId, record };
  if (now - record.lastSeenAt >= config.SESSION_TOUCH_INTERVAL * 1000) {
    const touched = { ...record, lastSeenAt: now };
    live.touch = () => stores.sessions.put(publicId, touched, ttl(config, touched, now));
  }
  return live;
}

/** Ends every session of the user except `keep`; resolves how many. */
export async function revokeOtherSessions(ctx: ServiceContext, userId: number, keep?: string) {
  const others = (await ctx.stores.sessions.listForUser(userId)).filter(
    (session) => session.id !== keep,
  );
  const ttl = tombstoneTtl(ctx.config);
  await Promise.all(others.map((session) => ctx.stores.sessions.delete(session.id, userId, ttl)));
  return others.length;
}

export function createSessionService(ctx: ServiceContext) {
  const { config, stores } = ctx;
  return {
    validate: (sessionId: string) => validate(ctx, sessionId),

    /** Ends the session a cookie names, if it is one. */
    end: (sessionId: string) => end(ctx, sessionId),

    /** Ends a session by its public id. */
    endById: (publicId: string, userId: number) =>
      stores.sessions.delete(publicId, userId, tombstoneTtl(config)),

    /** The user's live sessions, newest first. */
    async list(userId: number) {
      const now = ctx.clock.now();
      const idle = config.SESSION_IDLE_TIMEOUT * 1000;
      const sessions = await stores.sessions.listForUser(userId);
      return sessions
        .filter((session) => session.expiresAt > now && now - session.lastSeenAt < idle)
        .sort((a, b) => b.createdAt - a.createdAt);
    },

    /** Ends one of the user's sessions by public id; false when the user has none with that id. */
    async revoke(userId: number, publicId: string): Promise<boolean> {
      if (!isPublicSessionId(publicId)) return false;
      const { record } = await stores.sessions.read(publicId, userId);
      if (!record || record.userId !== userId) return false;
      await stores.sessions.delete(publicId, userId, tombstoneTtl(config));
      return true;
    },

    revokeOthers: (userId: number, keep?: string) => revokeOtherSessions(ctx, userId, keep),
  };
}

/** Used by the login pipeline only: a session is a credential it issues. */
export { start as startSession };

export type SessionService = ReturnType<typeof createSessionService>;
