/**
 * A browser for the cookie tests (sessions and JWT cookie mode): a cookie
 * jar, requests that carry it, logins through the JSON route and the HTML
 * form, and the CSRF answers DRF gives.
 */
import { expect } from 'vitest';
import { call, type App, type TestUser } from './index';

export const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

/** A session id as the `sessionid` cookie carries it: `<user id>.<secret>`. */
export const SESSION_ID = /^(\d+)\.([a-z0-9]{32})$/;
/** A CSRF token as Django's `csrftoken` cookie carries it. */
export const CSRF_TOKEN = /^[A-Za-z0-9]{64}$/;
/** A well-formed CSRF token that no cookie in these tests holds. */
export const OTHER_CSRF_TOKEN = 'A'.repeat(64);

/** DRF's answer to a request its CSRF check refuses. */
export function csrfFailed(reason: string) {
  return { detail: `CSRF Failed: ${reason}`, code: 'permission_denied' };
}
export const MISSING_OR_INCORRECT = csrfFailed('CSRF token missing or incorrect.');
export const COOKIE_NOT_SET = csrfFailed('CSRF cookie not set.');

export interface SetCookie {
  name: string;
  value: string;
  attributes: Record<string, string | true>;
}

export function parseSetCookie(line: string): SetCookie {
  const [pair, ...rest] = line.split(';').map((part) => part.trim());
  const eq = pair!.indexOf('=');
  const attributes: Record<string, string | true> = {};
  for (const attribute of rest) {
    const at = attribute.indexOf('=');
    if (at === -1) attributes[attribute.toLowerCase()] = true;
    else attributes[attribute.slice(0, at).toLowerCase()] = attribute.slice(at + 1);
  }
  return { name: pair!.slice(0, eq), value: pair!.slice(eq + 1), attributes };
}

/** The response's `Set-Cookie` lines by cookie name (the last line of a name wins). */
export function setCookies(res: Response): Record<string, SetCookie> {
  const cookies: Record<string, SetCookie> = {};
  for (const line of res.headers.getSetCookie()) {
    const cookie = parseSetCookie(line);
    cookies[cookie.name] = cookie;
  }
  return cookies;
}

/**
 * A browser's cookie store: keeps what responses set, forgets what they
 * expire (`Max-Age=0`), and sends a cookie only to paths under its `Path`
 * (the refresh cookie of cookie mode is scoped to the token routes).
 */
export class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  store(res: Response): this {
    for (const cookie of Object.values(setCookies(res))) {
      if (cookie.attributes['max-age'] === '0') this.cookies.delete(cookie.name);
      else {
        const path = typeof cookie.attributes.path === 'string' ? cookie.attributes.path : '/';
        this.cookies.set(cookie.name, { value: cookie.value, path });
      }
    }
    return this;
  }

  get(name: string): string | undefined {
    return this.cookies.get(name)?.value;
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  set(name: string, value: string, path = '/'): this {
    this.cookies.set(name, { value, path });
    return this;
  }

  /** The `Cookie` header a browser sends to `path`. */
  header(path = '/'): string {
    return [...this.cookies]
      .filter(([, cookie]) => path.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
  }

  /** `{ Cookie }` for a request to `path`, or nothing when no cookie goes there. */
  headers(path = '/'): Record<string, string> {
    const cookie = this.header(path);
    return cookie === '' ? {} : { Cookie: cookie };
  }

  /** A copy without some cookies, to build requests that lack them. */
  without(...names: string[]): CookieJar {
    const copy = new CookieJar();
    for (const [name, cookie] of this.cookies) {
      if (!names.includes(name)) copy.cookies.set(name, { ...cookie });
    }
    return copy;
  }
}

export interface Browser {
  user: TestUser;
  jar: CookieJar;
  /** The `sessionid` cookie value. */
  sessionId: string;
}

export function send(
  app: App,
  jar: CookieJar,
  method: string,
  path: string,
  init: { headers?: Record<string, string>; body?: string } = {},
): Promise<Response> {
  const cookie = jar.header(path);
  return call(app, path, {
    method,
    headers: { ...(cookie === '' ? {} : { Cookie: cookie }), ...init.headers },
    body: init.body,
  });
}

export function csrf(jar: CookieJar): Record<string, string> {
  return { 'X-CSRFToken': jar.get('csrftoken')! };
}

/** `POST /api/auth/login/` with the user's credentials; the jar keeps the cookies. */
export async function jsonLogin(
  app: App,
  user: TestUser,
  headers: Record<string, string> = {},
  jar = new CookieJar(),
): Promise<Browser> {
  const res = await send(app, jar, 'POST', '/api/auth/login/', {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ username: user.username, password: user.password }),
  });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${await res.text()}`);
  jar.store(res);
  return { user, jar, sessionId: jar.get('sessionid')! };
}

/**
 * Logs in through the HTML form at `/api-auth/login/`, as the reference
 * client did: GETs the form with the jar's cookies, then posts it with the
 * CSRF token the form carries. The jar keeps the cookies.
 */
export async function formLogin(app: App, user: TestUser, jar = new CookieJar()): Promise<Browser> {
  const form = await send(app, jar, 'GET', '/api-auth/login/');
  expect(form.status).toBe(200);
  jar.store(form);
  const res = await send(app, jar, 'POST', '/api-auth/login/', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      csrfmiddlewaretoken: jar.get('csrftoken')!,
      next: '',
      username: user.username,
      password: user.password,
    }).toString(),
  });
  expect(res.status).toBe(302);
  jar.store(res);
  return { user, jar, sessionId: jar.get('sessionid')! };
}

/** Django's deletion cookie (edgeauth writes the empty value without Django's `""`). */
export function expectSessionCookieDeleted(res: Response) {
  expect(setCookies(res).sessionid).toEqual({
    name: 'sessionid',
    value: '',
    attributes: { 'max-age': '0', path: '/', expires: EPOCH, secure: true, samesite: 'Lax' },
  });
}

export interface ListedSession {
  id: string;
  created: string;
  last_seen: string;
  expires: string;
  user_agent: string | null;
  ip: string | null;
  current: boolean;
}

export async function listSessions(app: App, jar: CookieJar): Promise<ListedSession[]> {
  const res = await send(app, jar, 'GET', '/api/auth/sessions/');
  expect(res.status).toBe(200);
  return (await res.json()) as ListedSession[];
}

/** The public id of the jar's session, as the session list shows it. */
export async function publicIdOf(app: App, jar: CookieJar): Promise<string> {
  const current = (await listSessions(app, jar)).filter((session) => session.current);
  expect(current).toHaveLength(1);
  return current[0]!.id;
}
