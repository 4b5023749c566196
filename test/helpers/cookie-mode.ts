/**
 * JWT cookie mode (`JWT_AUTH_COOKIE` set) as a browser uses it: a login on
 * `POST /api/token/` that keeps the cookies, the cookies' attributes, and the
 * requests the cookie tests make.
 */
import { expect } from 'vitest';
import { PASSWORD, makeUser, postJson, type App, type Pair, type TestUser } from './index';
import { CookieJar, EPOCH, send, setCookies } from './browser';

/** The setting that turns cookie mode on. */
export const COOKIE_MODE = { JWT_AUTH_COOKIE: 'access_token' };

/** Django's `CSRF_COOKIE_AGE`: one year. */
export const CSRF_COOKIE_AGE = '31449600';

/** The attributes of the access and refresh cookies with the default settings. */
export const ACCESS_COOKIE = {
  'max-age': '300',
  path: '/',
  httponly: true,
  secure: true,
  samesite: 'Lax',
};
export const REFRESH_COOKIE = { ...ACCESS_COOKIE, 'max-age': '86400', path: '/api/token/' };

export interface TokenBrowser {
  user: TestUser;
  jar: CookieJar;
  pair: Pair;
}

/** Registers a user and logs in on `POST /api/token/`, keeping the cookies. */
export async function tokenLogin(app: App): Promise<TokenBrowser> {
  const user = await makeUser(app);
  const res = await postJson(app, '/api/token/', {
    username: user.username,
    password: PASSWORD,
  });
  if (res.status !== 200) throw new Error(`obtain failed: ${res.status} ${await res.text()}`);
  const jar = new CookieJar().store(res);
  return { user, jar, pair: (await res.json()) as Pair };
}

/** `PATCH /api/me/` with a new email, the jar's cookies and `headers`. */
export function patchEmail(
  app: App,
  jar: CookieJar,
  email: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return send(app, jar, 'PATCH', '/api/me/', {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify({ email }),
  });
}

/** The email `GET /api/me/` shows for the jar's cookies. */
export async function emailOf(app: App, jar: CookieJar): Promise<string> {
  const res = await send(app, jar, 'GET', '/api/me/');
  expect(res.status).toBe(200);
  return ((await res.json()) as { email: string }).email;
}

/** A POST without a body: the token routes then read the token from its cookie. */
export function postEmpty(
  app: App,
  jar: CookieJar,
  path: string,
  headers: Record<string, string> = {},
): Promise<Response> {
  return send(app, jar, 'POST', path, { headers });
}

/** The two deletion cookies that logout and blacklist answer with. */
export function expectTokenCookiesExpired(res: Response, refreshPath = '/api/token/') {
  const cookies = setCookies(res);
  for (const [name, path] of [
    ['access_token', '/'],
    ['refresh_token', refreshPath],
  ] as const) {
    expect(cookies[name]).toMatchObject({ name, value: '' });
    expect(cookies[name]!.attributes).toMatchObject({ 'max-age': '0', expires: EPOCH, path });
  }
}
