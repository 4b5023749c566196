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
import type { SessionRecord, SessionStore, User } from '../storage/types';

export interface SessionDeps {
  config: AuthConfig;
  sessions: SessionStore;
}

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

/** Seconds until the record must be gone: the sooner of idle timeout and absolute end. */
function ttl(config: AuthConfig, record: SessionRecord, now: number): number {
  const end = Math.min(record.expiresAt, record.lastSeenAt + config.SESSION_IDLE_TIMEOUT * 1000);
  return (end - now) / 1000;
}

export interface ClientDetails {
  userAgent: string | null;
  ip: string | null;
}

/** Starts a session for `user`; resolves the new session id (the cookie value) and public id. */
export async function startSession(
  deps: SessionDeps,
  user: User,
  client: ClientDetails,
): Promise<{ sessionId: string; publicId: string }> {
  const now = Date.now();
  const sessionId = `${user.id}.${randomString(32, LOWER_ALPHANUMERIC)}`;
  const publicId = await publicSessionId(sessionId);
  const record: SessionRecord = {
    userId: user.id,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.SESSION_COOKIE_AGE * 1000,
    userAgent: client.userAgent?.slice(0, 512) ?? null,
    ip: client.ip,
  };
  await deps.sessions.put(publicId, record, ttl(deps.config, record, now));
  return { sessionId, publicId };
}

export interface LiveSession {
  publicId: string;
  record: SessionRecord;
  /** The record with a new "last seen", when the throttle says it is time to write it. */
  touched?: SessionRecord;
}

/**
 * The live session for a cookie value, or null when it is malformed,
 * unknown, past its absolute end, idle too long, or issued before the user's
 * revoked-before moment. One KV read.
 */
export async function validateSession(
  deps: SessionDeps,
  sessionId: string,
): Promise<LiveSession | null> {
  const userId = sessionUserId(sessionId);
  if (userId === undefined) return null;
  const publicId = await publicSessionId(sessionId);
  const { record, revokedBefore } = await deps.sessions.read(publicId, userId);
  const now = Date.now();
  if (!record || record.userId !== userId) return null;
  if (record.expiresAt <= now) return null;
  if (now - record.lastSeenAt >= deps.config.SESSION_IDLE_TIMEOUT * 1000) return null;
  if (revokedBefore !== null && record.createdAt < revokedBefore) return null;
  const live: LiveSession = { publicId, record };
  if (now - record.lastSeenAt >= deps.config.SESSION_TOUCH_INTERVAL * 1000) {
    live.touched = { ...record, lastSeenAt: now };
  }
  return live;
}

/** Writes a session's new "last seen", extending its idle expiry. */
export async function touchSession(deps: SessionDeps, publicId: string, record: SessionRecord) {
  await deps.sessions.put(publicId, record, ttl(deps.config, record, record.lastSeenAt));
}

/** An ended session's tombstone lives as long as the session itself could have. */
export function tombstoneTtl(config: AuthConfig): number {
  return config.SESSION_COOKIE_AGE;
}

/** Ends a session by its public id. */
export async function endSessionById(deps: SessionDeps, publicId: string, userId: number) {
  await deps.sessions.delete(publicId, userId, tombstoneTtl(deps.config));
}

export async function endSession(deps: SessionDeps, sessionId: string): Promise<void> {
  const userId = sessionUserId(sessionId);
  if (userId === undefined) return;
  await deps.sessions.delete(await publicSessionId(sessionId), userId, tombstoneTtl(deps.config));
}

/** The user's live sessions, newest first. */
export async function listSessions(deps: SessionDeps, userId: number) {
  const now = Date.now();
  const idle = deps.config.SESSION_IDLE_TIMEOUT * 1000;
  const sessions = await deps.sessions.listForUser(userId);
  return sessions
    .filter((session) => session.expiresAt > now && now - session.lastSeenAt < idle)
    .sort((a, b) => b.createdAt - a.createdAt);
}

/** Ends one of the user's sessions by public id; false when the user has none with that id. */
export async function revokeSession(deps: SessionDeps, userId: number, publicId: string) {
  const { record } = await deps.sessions.read(publicId, userId);
  if (!record || record.userId !== userId) return false;
  await deps.sessions.delete(publicId, userId, tombstoneTtl(deps.config));
  return true;
}

/** Ends every session of the user except `keep`; resolves how many. */
export async function revokeOtherSessions(deps: SessionDeps, userId: number, keep?: string) {
  const others = (await deps.sessions.listForUser(userId)).filter((session) => session.id !== keep);
  const ttl = tombstoneTtl(deps.config);
  await Promise.all(others.map((session) => deps.sessions.delete(session.id, userId, ttl)));
  return others.length;
}
