/**
 * Cookie mode (`JWT_AUTH_COOKIE` set), logging in and authenticating:
 * `POST /api/token/` also answers with cookies (access, refresh scoped to the
 * token routes, and a CSRF token), and JWTAuthentication accepts the access
 * cookie when there is no `Authorization` header, never as a fallback from
 * one. CSRF on unsafe requests is in jwt-cookie-csrf.test.ts, the token
 * routes in jwt-cookie-token-routes.test.ts.
 */
import { describe, expect, it } from 'vitest';
import {
  NOT_PROVIDED,
  PASSWORD,
  INVALID_ACCESS,
  bearer,
  call,
  expectJson,
  makeApp,
  ACCEPT_MAIL,
  makeUser,
  me,
  postJson,
  publicUser,
  type Pair,
} from './helpers';
import { CSRF_TOKEN, CookieJar, csrfFailed, setCookies } from './helpers/browser';
import {
  ACCESS_COOKIE,
  COOKIE_MODE,
  CSRF_COOKIE_AGE,
  REFRESH_COOKIE,
  emailOf,
  patchEmail,
  tokenLogin,
} from './helpers/cookie-mode';
import { expect401 } from './helpers/jwt';

// A mail backend: a test changes an email, which tells the old address.
const app = makeApp({ settings: COOKIE_MODE, mailer: ACCEPT_MAIL });

describe('POST /api/token/ in cookie mode', () => {
  it('sets the access, refresh and CSRF cookies and still answers {refresh, access}', async () => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/token/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['refresh', 'access']);
    const pair = JSON.parse(text) as Pair;

    expect(res.headers.getSetCookie()).toHaveLength(3);
    const cookies = setCookies(res);
    expect(Object.keys(cookies).sort()).toEqual(['access_token', 'csrftoken', 'refresh_token']);
    expect(cookies.access_token!.value).toBe(pair.access);
    expect(cookies.access_token!.attributes).toEqual(ACCESS_COOKIE);
    expect(cookies.refresh_token!.value).toBe(pair.refresh);
    expect(cookies.refresh_token!.attributes).toEqual(REFRESH_COOKIE);
    expect(cookies.csrftoken!.value).toMatch(CSRF_TOKEN);
    expect(cookies.csrftoken!.attributes).toEqual({
      'max-age': CSRF_COOKIE_AGE,
      path: '/',
      secure: true,
      samesite: 'Lax',
    });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it('refuses a cross-site login (login CSRF) and sets no cookie, but serves a same-origin one', async () => {
    const user = await makeUser(app);
    const credentials = { username: user.username, password: PASSWORD };
    const crossSite = await postJson(app, '/api/token/', credentials, {
      Origin: 'https://evil.example',
    });
    await expectJson(
      crossSite,
      403,
      csrfFailed(
        'Origin checking failed - https://evil.example does not match any trusted origins.',
      ),
    );
    expect(crossSite.headers.getSetCookie()).toEqual([]);
    const sameOrigin = await postJson(app, '/api/token/', credentials, {
      Origin: 'http://localhost',
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(sameOrigin.status).toBe(200);
  });

  it('gives both token cookies SameSite=Strict when JWT_AUTH_SAMESITE is Strict', async () => {
    const strict = makeApp({ settings: { ...COOKIE_MODE, JWT_AUTH_SAMESITE: 'Strict' } });
    const user = await makeUser(strict);
    const res = await postJson(strict, '/api/token/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    expect(cookies.access_token!.attributes.samesite).toBe('Strict');
    expect(cookies.refresh_token!.attributes.samesite).toBe('Strict');
    expect(cookies.csrftoken!.attributes.samesite).toBe('Lax');
  });

  it('leaves Secure off every cookie when COOKIE_SECURE is false', async () => {
    const plain = makeApp({ settings: { ...COOKIE_MODE, COOKIE_SECURE: 'false' } });
    const user = await makeUser(plain);
    const res = await postJson(plain, '/api/token/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    expect(Object.keys(cookies).sort()).toEqual(['access_token', 'csrftoken', 'refresh_token']);
    for (const cookie of Object.values(cookies)) {
      expect(cookie.attributes).not.toHaveProperty('secure');
    }
    expect(cookies.access_token!.attributes.httponly).toBe(true);
    expect(cookies.refresh_token!.attributes.httponly).toBe(true);
  });

  it('names the cookies after the settings and scopes the refresh cookie to ROUTE_PREFIX_JWT', async () => {
    const custom = makeApp({
      settings: {
        JWT_AUTH_COOKIE: 'jwt_access',
        JWT_AUTH_REFRESH_COOKIE: 'jwt_refresh',
        CSRF_COOKIE_NAME: 'xsrf',
        ROUTE_PREFIX_JWT: '/auth/jwt',
      },
    });
    const user = await makeUser(custom);
    const res = await postJson(custom, '/auth/jwt/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    expect(Object.keys(cookies).sort()).toEqual(['jwt_access', 'jwt_refresh', 'xsrf']);
    expect(cookies.jwt_access!.attributes.path).toBe('/');
    expect(cookies.jwt_refresh!.attributes.path).toBe('/auth/jwt/');
    expect(cookies.xsrf!.value).toMatch(CSRF_TOKEN);
  });

  it('sets no cookies at all without cookie mode (default settings)', async () => {
    const headerOnly = makeApp();
    const user = await makeUser(headerOnly);
    const res = await postJson(headerOnly, '/api/token/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as Pair)).toEqual(['refresh', 'access']);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('rotates a CSRF token the browser already holds, as a login does', async () => {
    const user = await makeUser(app);
    const before = 'B'.repeat(64);
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Cookie: `csrftoken=${before}` },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const cookies = setCookies(res);
    expect(cookies.csrftoken?.value).toMatch(CSRF_TOKEN);
    expect(cookies.csrftoken?.value).not.toBe(before);
  });

  it('sets no cookies when the credentials are wrong', async () => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/token/', { username: user.username, password: 'nope' });
    await expect401(res, {
      detail: 'No active account found with the given credentials',
      code: 'no_active_account',
    });
    expect(res.headers.getSetCookie()).toEqual([]);
  });
});

describe('authenticating with the access cookie', () => {
  it('lets GET /api/me/ through with only the access cookie: a safe method needs no CSRF', async () => {
    const { user, jar } = await tokenLogin(app);
    await expectJson(
      await me(app, jar.without('csrftoken', 'refresh_token')),
      200,
      publicUser(user),
    );
  });

  it('lets a cross-site GET through too: CSRF only guards unsafe methods', async () => {
    const { user, jar } = await tokenLogin(app);
    const res = await me(app, jar, {
      Origin: 'https://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    });
    await expectJson(res, 200, publicUser(user));
  });

  it('answers 401 with the Bearer challenge when there is no cookie and no header', async () => {
    await expect401(await me(app, new CookieJar()), NOT_PROVIDED);
  });

  it('refuses an access cookie that is not a valid token', async () => {
    await expect401(await me(app, { Cookie: 'access_token=not-a-jwt' }), INVALID_ACCESS);
  });

  it('ignores the access cookie when cookie mode is off', async () => {
    const headerOnly = makeApp();
    const { jar } = await tokenLogin(app);
    await expect401(await me(headerOnly, jar), NOT_PROVIDED);
  });
});

describe('the Authorization header next to the cookies', () => {
  it('authenticates by a Bearer header without CSRF even when cookies are present: the header wins', async () => {
    const alice = await tokenLogin(app);
    const bob = await tokenLogin(app);
    const email = `bearer-${bob.user.username}@example.com`.toLowerCase();
    // Alice's cookies, Bob's header, no X-CSRFToken: the header decides, so no CSRF.
    const res = await patchEmail(app, alice.jar, email, bearer(bob.pair.access));
    await expectJson(res, 200, { ...publicUser(bob.user), email });
    expect(await emailOf(app, alice.jar)).toBe(alice.user.email);
  });

  it.each([
    ['an invalid Bearer token', 'Bearer not-a-jwt', INVALID_ACCESS],
    [
      'a bad Token',
      'Token 0123456789abcdef0123456789abcdef01234567',
      { detail: 'Invalid token.', code: 'authentication_failed' },
    ],
    ['Basic', `Basic ${btoa('someone:secret')}`, NOT_PROVIDED],
    ['an unknown scheme', 'Custom abc', NOT_PROVIDED],
  ])(
    'does not fall back to the cookie when the Authorization header carries %s',
    async (_case, authorization, expected) => {
      const { jar } = await tokenLogin(app);
      await expect401(await me(app, jar, { Authorization: authorization }), expected);
    },
  );
});
