/**
 * Cookie mode on the token routes: `refresh/` rotates the pair from the
 * refresh cookie, `logout/` and `blacklist/` expire both token cookies, each
 * only with the CSRF token when a cookie carries the credential; and a
 * browser-like flow from login to logout.
 */
import { describe, expect, it } from 'vitest';
import {
  NOT_PROVIDED,
  PASSWORD,
  bearer,
  expectJson,
  makeApp,
  makeUser,
  me,
  postJson,
  publicUser,
  type Pair,
} from './helpers';
import {
  COOKIE_NOT_SET,
  CookieJar,
  MISSING_OR_INCORRECT,
  OTHER_CSRF_TOKEN,
  csrf,
  csrfFailed,
  send,
  setCookies,
} from './helpers/browser';
import {
  ACCESS_COOKIE,
  COOKIE_MODE,
  REFRESH_COOKIE,
  emailOf,
  expectTokenCookiesExpired,
  postEmpty,
  tokenLogin,
} from './helpers/cookie-mode';
import { ACCESS_BLACKLISTED, BLACKLISTED, expect401 } from './helpers/jwt';

const app = makeApp({ settings: COOKIE_MODE });
const ORIGIN = 'http://localhost';

/** Turns the logged-in jar into the cookies and headers a case sends. */
type Strip = (jar: CookieJar) => { jar: CookieJar; headers: Record<string, string> };

describe('POST /api/token/refresh/ with the refresh cookie', () => {
  it('rotates the pair from the cookie with CSRF, answering {access, refresh} and setting new cookies', async () => {
    const { jar, pair } = await tokenLogin(app);
    const res = await postEmpty(app, jar, '/api/token/refresh/', csrf(jar));
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['access', 'refresh']);
    const rotated = JSON.parse(text) as Pair;
    expect(rotated.access).not.toBe(pair.access);
    expect(rotated.refresh).not.toBe(pair.refresh);

    const cookies = setCookies(res);
    expect(cookies.access_token!.value).toBe(rotated.access);
    expect(cookies.access_token!.attributes).toEqual(ACCESS_COOKIE);
    expect(cookies.refresh_token!.value).toBe(rotated.refresh);
    expect(cookies.refresh_token!.attributes).toEqual(REFRESH_COOKIE);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each<[string, Strip, unknown]>([
    [
      'without the csrftoken cookie',
      (jar) => ({ jar: jar.without('csrftoken'), headers: csrf(jar) }),
      COOKIE_NOT_SET,
    ],
    ['without the X-CSRFToken header', (jar) => ({ jar, headers: {} }), MISSING_OR_INCORRECT],
    [
      'with a wrong X-CSRFToken header',
      (jar) => ({ jar, headers: { 'X-CSRFToken': OTHER_CSRF_TOKEN } }),
      MISSING_OR_INCORRECT,
    ],
  ])(
    'refuses the cookie %s, and the refresh token is not used up',
    async (_case, strip, expected) => {
      const { jar } = await tokenLogin(app);
      const sent = strip(jar);
      const refused = await postEmpty(app, sent.jar, '/api/token/refresh/', sent.headers);
      await expectJson(refused, 403, expected);
      expect(refused.headers.getSetCookie()).toEqual([]);
      expect((await postEmpty(app, jar, '/api/token/refresh/', csrf(jar))).status).toBe(200);
    },
  );

  it('refuses the cookie from a foreign Origin even with the CSRF token', async () => {
    const { jar } = await tokenLogin(app);
    const res = await postEmpty(app, jar, '/api/token/refresh/', {
      ...csrf(jar),
      Origin: 'https://evil.example',
    });
    await expectJson(
      res,
      403,
      csrfFailed(
        'Origin checking failed - https://evil.example does not match any trusted origins.',
      ),
    );
  });

  it('takes a refresh token from the body without CSRF, as a header-style client sends it', async () => {
    const { pair } = await tokenLogin(app);
    const res = await postJson(app, '/api/token/refresh/', { refresh: pair.refresh });
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as Pair)).toEqual(['access', 'refresh']);
  });

  it('prefers the body field over the cookie, and then needs no CSRF', async () => {
    const alice = await tokenLogin(app);
    const bob = await tokenLogin(app);
    const res = await send(app, alice.jar, 'POST', '/api/token/refresh/', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ refresh: bob.pair.refresh }),
    });
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as Pair;
    await expectJson(await me(app, bearer(rotated.access)), 200, publicUser(bob.user));
  });

  it('answers "This field is required." when there is neither a body field nor a cookie', async () => {
    const res = await postEmpty(app, new CookieJar(), '/api/token/refresh/');
    await expectJson(res, 400, { refresh: ['This field is required.'] });
  });
});

describe('POST /api/token/logout/ with the access cookie', () => {
  it('logs out with CSRF, expires both token cookies, and the old access cookie is refused', async () => {
    const { jar } = await tokenLogin(app);
    const oldJar = jar.without();
    const res = await postEmpty(app, jar, '/api/token/logout/', csrf(jar));
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expectTokenCookiesExpired(res);
    jar.store(res);
    expect(jar.has('access_token')).toBe(false);
    expect(jar.has('refresh_token')).toBe(false);

    await expect401(await me(app, oldJar), ACCESS_BLACKLISTED);
    await expect401(await postEmpty(app, oldJar, '/api/token/refresh/', csrf(oldJar)), BLACKLISTED);
  });

  it('refuses to log out without the CSRF token, and the cookie still authenticates', async () => {
    const { user, jar } = await tokenLogin(app);
    const res = await postEmpty(app, jar, '/api/token/logout/');
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await emailOf(app, jar)).toBe(user.email);
  });
});

describe('POST /api/token/blacklist/ with the refresh cookie', () => {
  it('blacklists the refresh cookie with CSRF and expires both token cookies', async () => {
    const { jar } = await tokenLogin(app);
    const oldJar = jar.without();
    const res = await postEmpty(app, jar, '/api/token/blacklist/', csrf(jar));
    await expectJson(res, 200, {});
    expectTokenCookiesExpired(res);
    await expect401(await postEmpty(app, oldJar, '/api/token/refresh/', csrf(oldJar)), BLACKLISTED);
  });

  it('refuses the refresh cookie without the CSRF token, and the token stays usable', async () => {
    const { jar } = await tokenLogin(app);
    const res = await postEmpty(app, jar, '/api/token/blacklist/');
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await postEmpty(app, jar, '/api/token/refresh/', csrf(jar))).status).toBe(200);
  });
});

describe('a browser-like flow', () => {
  it('obtains, reads /api/me/, refreshes from the cookie, then reads /api/me/ with the new access cookie', async () => {
    const user = await makeUser(app);
    const jar = new CookieJar();

    const obtain = await postJson(app, '/api/token/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(obtain.status).toBe(200);
    jar.store(obtain);
    const firstAccess = jar.get('access_token');
    const firstRefresh = jar.get('refresh_token');
    expect(jar.header('/api/me/')).not.toContain('refresh_token=');
    expect(jar.header('/api/token/refresh/')).toContain(`refresh_token=${firstRefresh}`);

    await expectJson(await me(app, jar), 200, publicUser(user));

    const refresh = await postEmpty(app, jar, '/api/token/refresh/', {
      ...csrf(jar),
      Origin: ORIGIN,
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(refresh.status).toBe(200);
    jar.store(refresh);
    expect(jar.get('access_token')).not.toBe(firstAccess);
    expect(jar.get('refresh_token')).not.toBe(firstRefresh);

    await expectJson(await me(app, jar), 200, publicUser(user));
    await expectJson(
      await me(app, jar.without('refresh_token', 'csrftoken')),
      200,
      publicUser(user),
    );

    const logout = await postEmpty(app, jar, '/api/token/logout/', csrf(jar));
    await expectJson(logout, 200, { detail: 'Successfully logged out.' });
    jar.store(logout);
    await expect401(await me(app, jar), NOT_PROVIDED);
  });
});
