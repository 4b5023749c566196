/**
 * @module auth/session
 * DRF's `SessionAuthentication`: the `sessionid` cookie, one KV read, and the
 * CSRF check on unsafe methods (DRF's texts, plus `Origin` /
 * `Sec-Fetch-Site`). It has no `WWW-Authenticate` challenge, so when it is
 * a route's first class failures are 403s, as in DRF. A dead session cookie
 * is anonymous, and the answer deletes it. "Last seen" writes are throttled
 * and happen after the response.
 */
import type { Context } from 'hono';
import { generateCookie } from 'hono/cookie';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { expireCookie, readCookie } from '../http/cookies';
import { defer } from '../http/defer';
import type { SessionService } from '../services/sessions';
import { enforceCsrf } from './csrf';
import type { Authenticator } from './types';

/** Deletes the session cookie the way Django does after logout. */
export function expireSessionCookie(c: Context, config: AuthConfig): void {
  expireCookie(c, config, config.SESSION_COOKIE_NAME, { sameSite: config.SESSION_COOKIE_SAMESITE });
}

/**
 * After the response is made: deletes a dead session cookie the request
 * carried, unless the response already sets that cookie (a login), so that
 * no answer sets it twice.
 */
export function dropStaleSessionCookie(c: Context<AppEnv>): void {
  if (!c.get('staleSessionCookie')) return;
  const { config } = c.var.edgeauth;
  const name = `${config.SESSION_COOKIE_NAME}=`;
  if (c.res.headers.getSetCookie().some((cookie) => cookie.startsWith(name))) return;
  c.res.headers.append(
    'Set-Cookie',
    generateCookie(config.SESSION_COOKIE_NAME, '', {
      path: '/',
      maxAge: 0,
      expires: new Date(0),
      secure: config.COOKIE_SECURE,
      sameSite: config.SESSION_COOKIE_SAMESITE,
    }),
  );
}

export function sessionAuthentication(config: AuthConfig, sessions: SessionService): Authenticator {
  return {
    name: 'SessionAuthentication',
    async authenticate(c) {
      const sessionId = readCookie(c, config.SESSION_COOKIE_NAME);
      if (sessionId === undefined) return null;
      const live = await sessions.validate(sessionId);
      if (!live) {
        // Deleted when the answer is sent, unless that answer sets a new session.
        c.set('staleSessionCookie', true);
        return null;
      }
      await enforceCsrf(c, config);
      if (live.touch) await defer(c, 'session last-seen write', live.touch);
      return {
        method: 'session',
        userId: live.record.userId,
        credential: { kind: 'session', id: live.publicId },
        viaCookie: true,
      };
    },
  };
}
