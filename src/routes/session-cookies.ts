/**
 * @module routes/session-cookies
 * The browser side of a session login or logout, shared by the JSON and HTML
 * routes: the session cookie, and the CSRF token that rotates at login as
 * Django's `login()` rotates it. The session itself is the login pipeline's
 * and the session service's.
 */
import type { Context } from 'hono';
import { setCookie } from 'hono/cookie';
import type { Authentication } from '../auth/types';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { readCookie, rotateCsrfCookie } from '../http/cookies';
import type { LoginAttempt, LoginRefusal } from '../services/login';
import type { User } from '../services/users';

/**
 * Logs in through the pipeline with a session. Any session the browser
 * already has ends (no fixation). Every write happens before the cookies: an
 * answer that fails after this point must not carry a session the client was
 * told it did not get. Resolves the user, or the refusal.
 */
export async function sessionLogin(
  c: Context<AppEnv>,
  attempt: LoginAttempt,
): Promise<{ ok: true; user: User } | { ok: false; refusal: LoginRefusal }> {
  const { config, services } = c.var.edgeauth;
  const previousSession = readCookie(c, config.SESSION_COOKIE_NAME);
  const result = await services.login.logIn(attempt, { kind: 'session', previousSession });
  if (!result.ok) return result;
  setSessionCookies(c, config, result.issued.sessionId);
  return { ok: true, user: result.user };
}

/**
 * The cookies of a session just started (a login, or a password change
 * that rotates the session): the session id, and a new CSRF token, as
 * Django's `login()` rotates it.
 */
export function setSessionCookies(c: Context<AppEnv>, config: AuthConfig, sessionId: string) {
  setCookie(c, config.SESSION_COOKIE_NAME, sessionId, {
    path: '/',
    maxAge: config.SESSION_COOKIE_AGE,
    httpOnly: true,
    secure: config.COOKIE_SECURE,
    sameSite: config.SESSION_COOKIE_SAMESITE,
  });
  rotateCsrfCookie(c, config);
}

/** Ends the request's session (the authenticated one, else whatever the cookie names). */
export async function sessionLogout(
  c: Context<AppEnv>,
  config: AuthConfig,
  auth: Authentication | null,
): Promise<void> {
  const { sessions } = c.var.edgeauth.services;
  const credential = auth?.credential;
  if (auth && credential?.kind === 'session') {
    await sessions.endById(credential.id, auth.userId);
    return;
  }
  const cookie = readCookie(c, config.SESSION_COOKIE_NAME);
  if (cookie !== undefined) await sessions.end(cookie);
}
