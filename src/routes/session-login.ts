/**
 * @module routes/session-login
 * Starting a browser session, shared by the JSON and HTML logins: any session
 * the browser already has ends (no fixation), a new one starts, and the CSRF
 * token rotates, as Django's `login()` does.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import { sessionDeps } from '../auth/session';
import type { AppEnv } from '../env';
import { readCookie, rotateCsrfCookie } from '../http/cookies';
import { endSession, endSessionById, startSession } from '../services/sessions';
import type { User } from '../storage/types';

/** `CF-Connecting-IP` only: other headers can be set by the client. */
function clientIp(c: Context<AppEnv>): string | null {
  const ip = c.req.header('CF-Connecting-IP');
  return ip !== undefined && /^[0-9A-Fa-f:.]{2,45}$/.test(ip) ? ip : null;
}

export async function beginSession(c: Context<AppEnv>, user: User): Promise<void> {
  const { config, stores } = c.var.edgeauth;
  const deps = sessionDeps(c);
  const previous = readCookie(c, config.SESSION_COOKIE_NAME);
  if (previous !== undefined) await endSession(deps, previous);
  const { sessionId } = await startSession(deps, user, {
    userAgent: c.req.header('User-Agent') ?? null,
    ip: clientIp(c),
  });
  // Every write before the cookies: an answer that fails after this point
  // must not carry a session the client was told it did not get.
  await stores.users.recordLogin(user.id, Date.now());
  setCookie(c, config.SESSION_COOKIE_NAME, sessionId, {
    path: '/',
    maxAge: config.SESSION_COOKIE_AGE,
    httpOnly: true,
    secure: config.COOKIE_SECURE,
    sameSite: config.SESSION_COOKIE_SAMESITE,
  });
  rotateCsrfCookie(c, config);
}

/** Ends the request's session, if any, in KV. */
export async function finishSession(c: Context<AppEnv>): Promise<void> {
  const credential = c.var.auth?.credential;
  if (credential?.kind === 'session') {
    await endSessionById(sessionDeps(c), credential.id, c.var.auth!.userId);
    return;
  }
  const cookie = readCookie(c, c.var.edgeauth.config.SESSION_COOKIE_NAME);
  if (cookie !== undefined) await endSession(sessionDeps(c), cookie);
}
