/**
 * Helpers for the password change and account deletion tests: one of each
 * credential for an account, the requests themselves, and what the security
 * event log recorded.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { jsonLogin, send, csrf, type Browser } from './browser';
import {
  bearer,
  call,
  me,
  obtainPair,
  postJson,
  tokenHeader,
  type App,
  type Credentials,
  type Pair,
  type TestUser,
} from './index';

/** A new password every validator accepts. */
export const NEW_PASSWORD = 'plum quartz harbour 7091';

export const CHANGE = '/api/auth/password/change/';

/** Django's `PasswordChangeForm` text for a wrong old password. */
export const WRONG_OLD = {
  old_password: ['Your old password was entered incorrectly. Please enter it again.'],
};

/** The body of a change from the user's password to `next`. */
export function changeBody(user: { password: string }, next = NEW_PASSWORD) {
  return { old_password: user.password, new_password1: next, new_password2: next };
}

/** `POST /api/auth/password/change/` with JSON and header credentials. */
export function changePassword(
  app: App,
  headers: Record<string, string>,
  fields: unknown,
): Promise<Response> {
  return postJson(app, CHANGE, fields, headers);
}

/** The same from a browser session: cookies and the CSRF header. */
export function changeFromBrowser(app: App, browser: Browser, fields: unknown): Promise<Response> {
  return send(app, browser.jar, 'POST', CHANGE, {
    headers: { 'Content-Type': 'application/json', ...csrf(browser.jar) },
    body: JSON.stringify(fields),
  });
}

/** An opaque token from `POST /api-token-auth/`. */
export async function obtainToken(app: App, user: TestUser): Promise<string> {
  const res = await postJson(app, '/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

/** One of each credential an account can hold at once. */
export interface Held {
  pair: Pair;
  token: string;
  browser: Browser;
}

export async function holdEverything(app: App, user: TestUser): Promise<Held> {
  return {
    pair: await obtainPair(app, user),
    token: await obtainToken(app, user),
    browser: await jsonLogin(app, user),
  };
}

/** `GET /api/me/`'s status with these credentials. */
export async function meStatus(app: App, credentials: Credentials): Promise<number> {
  return (await me(app, credentials)).status;
}

/** `POST /api/token/refresh/`'s status for this refresh token. */
export async function refreshStatus(app: App, refresh: string): Promise<number> {
  return (await postJson(app, '/api/token/refresh/', { refresh })).status;
}

/** Every credential in `held` is refused. */
export async function expectAllDead(app: App, held: Held): Promise<void> {
  expect(await meStatus(app, bearer(held.pair.access))).toBe(401);
  expect(await refreshStatus(app, held.pair.refresh)).toBe(401);
  expect(await meStatus(app, tokenHeader(held.token))).toBe(401);
  expect(await meStatus(app, held.browser.jar)).toBe(401);
}

/** Whether the username and password still log in (`POST /api/token/`). */
export async function logsIn(app: App, username: string, password: string): Promise<boolean> {
  const res = await postJson(app, '/api/token/', { username, password });
  return res.status === 200;
}

/** The events the log holds for the account, oldest first. */
export async function eventsOf(userId: number) {
  const { results } = await env.DB.prepare(
    'SELECT type, user_id, ip, user_agent, credential FROM security_events WHERE user_id = ? ORDER BY id',
  )
    .bind(userId)
    .all<{ type: string; user_id: number; ip: string; user_agent: string; credential: string }>();
  return results;
}

/** `DELETE /api/me/` with JSON and header credentials. */
export function deleteAccount(
  app: App,
  headers: Record<string, string>,
  fields: unknown,
): Promise<Response> {
  return call(app, '/api/me/', {
    method: 'DELETE',
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(fields),
  });
}
