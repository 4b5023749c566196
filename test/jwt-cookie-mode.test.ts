/**
 * Cookie mode (`JWT_AUTH_COOKIE` set): the token routes also answer with
 * cookies (access, refresh scoped to the token routes, and a CSRF token),
 * JWTAuthentication accepts the access cookie when there is no
 * `Authorization` header, and everything a cookie authenticates on an unsafe
 * method goes through DRF's CSRF check, plus the `Origin` / `Sec-Fetch-Site`
 * checks of deliberate difference 7 in shared/API.md.
 */
import { describe, expect, it } from 'vitest';
import {
  BEARER,
  PASSWORD,
  bearer,
  call,
  makeApp,
  makeUser,
  postJson,
  type App,
  type Pair,
  type TestUser,
} from './helpers';
import { setCookies } from './helpers/browser';

const COOKIE_MODE = { JWT_AUTH_COOKIE: 'access_token' };
const app = makeApp({ settings: COOKIE_MODE });

const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
/** Django's `CSRF_COOKIE_AGE`: one year. */
const CSRF_COOKIE_AGE = '31449600';
const ORIGIN = 'http://localhost';
const OTHER_CSRF_TOKEN = 'A'.repeat(64);

/**
 * A browser's cookie store, small: keeps what responses set, forgets what
 * they expire (`Max-Age=0`), and sends a cookie only under its `Path`.
 */
class CookieJar {
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

  /** The `Cookie` header a browser sends to `path`. */
  header(path: string): string {
    return [...this.cookies]
      .filter(([, cookie]) => path.startsWith(cookie.path))
      .map(([name, cookie]) => `${name}=${cookie.value}`)
      .join('; ');
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

interface Browser {
  user: TestUser;
  jar: CookieJar;
  pair: Pair;
}

/** Registers a user and logs in on `POST /api/token/`, keeping the cookies. */
async function login(target: App = app): Promise<Browser> {
  const user = await makeUser(target);
  const res = await postJson(target, '/api/token/', {
    username: user.username,
    password: PASSWORD,
  });
  if (res.status !== 200) throw new Error(`obtain failed: ${res.status} ${await res.text()}`);
  const jar = new CookieJar().store(res);
  return { user, jar, pair: (await res.json()) as Pair };
}

/** `X-CSRFToken` with the jar's `csrftoken`, as a page's script sends it. */
function csrf(jar: CookieJar): Record<string, string> {
  return { 'X-CSRFToken': jar.get('csrftoken')! };
}

function send(
  jar: CookieJar,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
  target: App = app,
): Promise<Response> {
  const cookie = jar.header(path);
  return call(target, path, {
    method,
    headers: { ...(cookie === '' ? {} : { Cookie: cookie }), ...headers },
    body,
  });
}

function getMe(jar: CookieJar, headers: Record<string, string> = {}, target: App = app) {
  return send(jar, 'GET', '/api/me/', headers, undefined, target);
}

function patchEmail(
  jar: CookieJar,
  email: string,
  headers: Record<string, string> = {},
  target: App = app,
) {
  const json = { 'Content-Type': 'application/json', ...headers };
  return send(jar, 'PATCH', '/api/me/', json, JSON.stringify({ email }), target);
}

/** The email `GET /api/me/` shows for the jar's access cookie. */
async function emailOf(jar: CookieJar, target: App = app): Promise<string> {
  const res = await getMe(jar, {}, target);
  expect(res.status).toBe(200);
  return ((await res.json()) as { email: string }).email;
}

function postEmpty(jar: CookieJar, path: string, headers: Record<string, string> = {}) {
  return send(jar, 'POST', path, headers);
}

function csrfFailed(reason: string) {
  return { detail: `CSRF Failed: ${reason}`, code: 'permission_denied' };
}

const COOKIE_NOT_SET = csrfFailed('CSRF cookie not set.');
const MISSING_OR_INCORRECT = csrfFailed('CSRF token missing or incorrect.');

async function expectJson(res: Response, status: number, expected: unknown) {
  expect(res.status).toBe(status);
  expect(await res.json()).toEqual(expected);
}

/** The attributes of the access and refresh cookies with the default settings. */
const ACCESS_COOKIE = {
  'max-age': '300',
  path: '/',
  httponly: true,
  secure: true,
  samesite: 'Lax',
};
const REFRESH_COOKIE = { ...ACCESS_COOKIE, 'max-age': '86400', path: '/api/token/' };

const BLACKLISTED = { detail: 'Token is blacklisted', code: 'token_not_valid' };

function accessError(message: string) {
  return {
    detail: 'Given token not valid for any token type',
    code: 'token_not_valid',
    messages: [{ token_class: 'AccessToken', token_type: 'access', message }],
  };
}
const ACCESS_INVALID = accessError('Token is invalid or expired');
const ACCESS_BLACKLISTED = accessError('Token is blacklisted');

async function expect401(res: Response, expected: unknown) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  expect(await res.json()).toEqual(expected);
}

/** The two deletion cookies that logout and blacklist answer with. */
function expectTokenCookiesExpired(res: Response, refreshPath = '/api/token/') {
  const cookies = setCookies(res);
  for (const [name, path] of [
    ['access_token', '/'],
    ['refresh_token', refreshPath],
  ] as const) {
    expect(cookies[name]).toMatchObject({ name, value: '' });
    expect(cookies[name]!.attributes).toMatchObject({ 'max-age': '0', expires: EPOCH, path });
  }
}

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
    expect(cookies.csrftoken!.value).toMatch(/^[A-Za-z0-9]{64}$/);
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
    expect(crossSite.status).toBe(403);
    expect(await crossSite.json()).toEqual({
      detail:
        'CSRF Failed: Origin checking failed - https://evil.example does not match any trusted origins.',
      code: 'permission_denied',
    });
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
    expect(cookies.xsrf!.value).toMatch(/^[A-Za-z0-9]{64}$/);
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
    expect(cookies.csrftoken?.value).toMatch(/^[A-Za-z0-9]{64}$/);
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
    const { user, jar } = await login();
    const res = await getMe(jar.without('csrftoken', 'refresh_token'));
    await expectJson(res, 200, { id: user.id, username: user.username, email: user.email });
  });

  it('lets a cross-site GET through too: CSRF only guards unsafe methods', async () => {
    const { user, jar } = await login();
    const res = await getMe(jar, {
      Origin: 'https://evil.example',
      'Sec-Fetch-Site': 'cross-site',
    });
    await expectJson(res, 200, { id: user.id, username: user.username, email: user.email });
  });

  it('answers 401 with the Bearer challenge when there is no cookie and no header', async () => {
    await expect401(await getMe(new CookieJar()), {
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('refuses an access cookie that is not a valid token', async () => {
    const res = await call(app, '/api/me/', { headers: { Cookie: 'access_token=not-a-jwt' } });
    await expect401(res, ACCESS_INVALID);
  });

  it('ignores the access cookie when cookie mode is off', async () => {
    const headerOnly = makeApp();
    const { jar } = await login();
    await expect401(await getMe(jar, {}, headerOnly), {
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });
});

describe('CSRF on unsafe requests authenticated by the access cookie', () => {
  it('refuses a request without the csrftoken cookie with "CSRF cookie not set.", and the email stays', async () => {
    const { user, jar } = await login();
    const withoutCsrfCookie = jar.without('csrftoken');
    const res = await patchEmail(withoutCsrfCookie, 'new@example.com', csrf(jar));
    await expectJson(res, 403, COOKIE_NOT_SET);
    expect(await emailOf(jar)).toBe(user.email);
  });

  it.each([
    ['without the X-CSRFToken header', {}],
    ['with an X-CSRFToken header that is not the cookie', { 'X-CSRFToken': OTHER_CSRF_TOKEN }],
    ['with an empty X-CSRFToken header', { 'X-CSRFToken': '' }],
  ])(
    'refuses a request %s with "CSRF token missing or incorrect.", and the email stays',
    async (_case, headers: Record<string, string>) => {
      const { user, jar } = await login();
      const res = await patchEmail(jar, 'new@example.com', headers);
      await expectJson(res, 403, MISSING_OR_INCORRECT);
      expect(await emailOf(jar)).toBe(user.email);
    },
  );

  it.each([
    ['one character', 'a'],
    ['shorter than 32 characters', 'abc123'],
    ['not alphanumeric', '!'.repeat(64)],
  ])(
    'refuses a malformed csrftoken cookie (%s) even when the header echoes it, as Django does',
    async (_case, token) => {
      const { user, jar } = await login();
      const cookie = `access_token=${jar.get('access_token')}; csrftoken=${token}`;
      const res = await call(app, '/api/me/', {
        method: 'PATCH',
        headers: { Cookie: cookie, 'X-CSRFToken': token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'new@example.com' }),
      });
      await expectJson(res, 403, MISSING_OR_INCORRECT);
      expect(await emailOf(jar)).toBe(user.email);
    },
  );

  it('accepts X-CSRFToken equal to the csrftoken cookie, and the change happens', async () => {
    const { user, jar } = await login();
    const email = `changed-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(jar, email, csrf(jar));
    await expectJson(res, 200, { id: user.id, username: user.username, email });
    expect(await emailOf(jar)).toBe(email);
  });

  it.each([
    [
      'a foreign Origin',
      { Origin: 'https://evil.example' },
      'Origin checking failed - https://evil.example does not match any trusted origins.',
    ],
    [
      'the same host on another port',
      { Origin: 'http://localhost:8787' },
      'Origin checking failed - http://localhost:8787 does not match any trusted origins.',
    ],
    [
      'the https variant of the own origin',
      { Origin: 'https://localhost' },
      'Origin checking failed - https://localhost does not match any trusted origins.',
    ],
    [
      'Origin: null',
      { Origin: 'null' },
      'Origin checking failed - null does not match any trusted origins.',
    ],
    [
      'Sec-Fetch-Site: cross-site and no Origin',
      { 'Sec-Fetch-Site': 'cross-site' },
      'Origin checking failed - a cross-site request does not match any trusted origins.',
    ],
    [
      'Sec-Fetch-Site: same-site and no Origin',
      { 'Sec-Fetch-Site': 'same-site' },
      'Origin checking failed - a same-site request does not match any trusted origins.',
    ],
  ])(
    'refuses %s even with the correct CSRF token, and the email stays',
    async (_case, headers: Record<string, string>, reason) => {
      const { user, jar } = await login();
      const res = await patchEmail(jar, 'new@example.com', { ...csrf(jar), ...headers });
      await expectJson(res, 403, csrfFailed(reason));
      expect(await emailOf(jar)).toBe(user.email);
    },
  );

  it.each([
    ['Origin equal to the request’s own origin', { Origin: ORIGIN }],
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['both same-origin signals', { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' }],
  ])('accepts %s with the correct CSRF token', async (_case, headers: Record<string, string>) => {
    const { user, jar } = await login();
    const email = `same-origin-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(jar, email, { ...csrf(jar), ...headers });
    await expectJson(res, 200, { id: user.id, username: user.username, email });
  });

  it('still requires the CSRF token from the request’s own origin', async () => {
    const { user, jar } = await login();
    const res = await patchEmail(jar, 'new@example.com', {
      Origin: ORIGIN,
      'Sec-Fetch-Site': 'same-origin',
    });
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(await emailOf(jar)).toBe(user.email);
  });

  it.each([
    ['a JSON list', '["https://app.example.com"]'],
    ['a comma-separated string', 'https://other.example, https://app.example.com'],
  ])(
    'accepts an origin listed in CSRF_TRUSTED_ORIGINS given as %s',
    async (_case, trustedOrigins) => {
      const trusting = makeApp({
        settings: { ...COOKIE_MODE, CSRF_TRUSTED_ORIGINS: trustedOrigins },
      });
      const { user, jar } = await login(trusting);
      const email = `trusted-${user.username}@example.com`.toLowerCase();
      const headers = {
        ...csrf(jar),
        Origin: 'https://app.example.com',
        'Sec-Fetch-Site': 'cross-site',
      };
      const res = await patchEmail(jar, email, headers, trusting);
      await expectJson(res, 200, { id: user.id, username: user.username, email });
      expect(await emailOf(jar, trusting)).toBe(email);
    },
  );

  it('still refuses an origin CSRF_TRUSTED_ORIGINS does not list', async () => {
    const trusting = makeApp({
      settings: { ...COOKIE_MODE, CSRF_TRUSTED_ORIGINS: '["https://app.example.com"]' },
    });
    const { user, jar } = await login(trusting);
    const headers = { ...csrf(jar), Origin: 'https://app.example.com.evil.example' };
    const res = await patchEmail(jar, 'new@example.com', headers, trusting);
    await expectJson(
      res,
      403,
      csrfFailed(
        'Origin checking failed - https://app.example.com.evil.example does not match any trusted origins.',
      ),
    );
    expect(await emailOf(jar, trusting)).toBe(user.email);
  });

  it('reads the token from the header CSRF_HEADER_NAME names', async () => {
    const custom = makeApp({ settings: { ...COOKIE_MODE, CSRF_HEADER_NAME: 'X-XSRF-TOKEN' } });
    const { user, jar } = await login(custom);
    const refused = await patchEmail(jar, 'new@example.com', csrf(jar), custom);
    await expectJson(refused, 403, MISSING_OR_INCORRECT);
    const email = `xsrf-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(jar, email, { 'X-XSRF-TOKEN': jar.get('csrftoken')! }, custom);
    await expectJson(res, 200, { id: user.id, username: user.username, email });
  });

  it('accepts the token as the csrfmiddlewaretoken field of a URL-encoded form', async () => {
    const { jar } = await login();
    const form = new URLSearchParams({ csrfmiddlewaretoken: jar.get('csrftoken')! }).toString();
    const res = await send(
      jar,
      'POST',
      '/api/token/logout/',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      form,
    );
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expectTokenCookiesExpired(res);
    await expect401(await getMe(jar), ACCESS_BLACKLISTED);
  });

  it('refuses a form whose csrfmiddlewaretoken is not the cookie, and the logout does not happen', async () => {
    const { user, jar } = await login();
    const form = new URLSearchParams({ csrfmiddlewaretoken: OTHER_CSRF_TOKEN }).toString();
    const res = await send(
      jar,
      'POST',
      '/api/token/logout/',
      { 'Content-Type': 'application/x-www-form-urlencoded' },
      form,
    );
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await emailOf(jar)).toBe(user.email);
  });
});

describe('the Authorization header next to the cookies', () => {
  it('authenticates by a Bearer header without CSRF even when cookies are present: the header wins', async () => {
    const alice = await login();
    const bob = await login();
    const email = `bearer-${bob.user.username}@example.com`.toLowerCase();
    // Alice's cookies, Bob's header, no X-CSRFToken: the header decides, so no CSRF.
    const res = await patchEmail(alice.jar, email, bearer(bob.pair.access));
    await expectJson(res, 200, { id: bob.user.id, username: bob.user.username, email });
    expect(await emailOf(alice.jar)).toBe(alice.user.email);
  });

  it('does not fall back to the cookie when the Bearer header is invalid', async () => {
    const { jar } = await login();
    await expect401(await getMe(jar, bearer('not-a-jwt')), ACCESS_INVALID);
  });

  it.each([
    [
      'a bad Token',
      'Token 0123456789abcdef0123456789abcdef01234567',
      { detail: 'Invalid token.', code: 'authentication_failed' },
    ],
    [
      'Basic',
      `Basic ${btoa('someone:secret')}`,
      { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' },
    ],
    [
      'an unknown scheme',
      'Custom abc',
      { detail: 'Authentication credentials were not provided.', code: 'not_authenticated' },
    ],
  ])(
    'does not fall back to the cookie when the Authorization header carries %s',
    async (_case, authorization, expected) => {
      const { jar } = await login();
      await expect401(await getMe(jar, { Authorization: authorization }), expected);
    },
  );
});

describe('POST /api/token/refresh/ with the refresh cookie', () => {
  it('rotates the pair from the cookie with CSRF, answering {access, refresh} and setting new cookies', async () => {
    const { jar, pair } = await login();
    const res = await postEmpty(jar, '/api/token/refresh/', csrf(jar));
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

  it('refuses the cookie without the csrftoken cookie, and the refresh token is not used up', async () => {
    const { jar } = await login();
    const refused = await postEmpty(jar.without('csrftoken'), '/api/token/refresh/', csrf(jar));
    await expectJson(refused, 403, COOKIE_NOT_SET);
    expect(refused.headers.getSetCookie()).toEqual([]);
    expect((await postEmpty(jar, '/api/token/refresh/', csrf(jar))).status).toBe(200);
  });

  it.each([
    ['without the X-CSRFToken header', {}],
    ['with a wrong X-CSRFToken header', { 'X-CSRFToken': OTHER_CSRF_TOKEN }],
  ])(
    'refuses the cookie %s, and the refresh token is not used up',
    async (_case, headers: Record<string, string>) => {
      const { jar } = await login();
      const refused = await postEmpty(jar, '/api/token/refresh/', headers);
      await expectJson(refused, 403, MISSING_OR_INCORRECT);
      expect(refused.headers.getSetCookie()).toEqual([]);
      expect((await postEmpty(jar, '/api/token/refresh/', csrf(jar))).status).toBe(200);
    },
  );

  it('refuses the cookie from a foreign Origin even with the CSRF token', async () => {
    const { jar } = await login();
    const res = await postEmpty(jar, '/api/token/refresh/', {
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
    const { pair } = await login();
    const res = await postJson(app, '/api/token/refresh/', { refresh: pair.refresh });
    expect(res.status).toBe(200);
    expect(Object.keys((await res.json()) as Pair)).toEqual(['access', 'refresh']);
  });

  it('prefers the body field over the cookie, and then needs no CSRF', async () => {
    const alice = await login();
    const bob = await login();
    const res = await send(
      alice.jar,
      'POST',
      '/api/token/refresh/',
      { 'Content-Type': 'application/json' },
      JSON.stringify({ refresh: bob.pair.refresh }),
    );
    expect(res.status).toBe(200);
    const rotated = (await res.json()) as Pair;
    const me = await call(app, '/api/me/', { headers: bearer(rotated.access) });
    await expectJson(me, 200, {
      id: bob.user.id,
      username: bob.user.username,
      email: bob.user.email,
    });
  });

  it('answers "This field is required." when there is neither a body field nor a cookie', async () => {
    const res = await postEmpty(new CookieJar(), '/api/token/refresh/');
    await expectJson(res, 400, { refresh: ['This field is required.'] });
  });
});

describe('POST /api/token/logout/ with the access cookie', () => {
  it('logs out with CSRF, expires both token cookies, and the old access cookie is refused', async () => {
    const { jar } = await login();
    const oldJar = jar.without();
    const res = await postEmpty(jar, '/api/token/logout/', csrf(jar));
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expectTokenCookiesExpired(res);
    jar.store(res);
    expect(jar.has('access_token')).toBe(false);
    expect(jar.has('refresh_token')).toBe(false);

    await expect401(await getMe(oldJar), ACCESS_BLACKLISTED);
    await expect401(await postEmpty(oldJar, '/api/token/refresh/', csrf(oldJar)), BLACKLISTED);
  });

  it('refuses to log out without the CSRF token, and the cookie still authenticates', async () => {
    const { user, jar } = await login();
    const res = await postEmpty(jar, '/api/token/logout/');
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await emailOf(jar)).toBe(user.email);
  });
});

describe('POST /api/token/blacklist/ with the refresh cookie', () => {
  it('blacklists the refresh cookie with CSRF and expires both token cookies', async () => {
    const { jar } = await login();
    const oldJar = jar.without();
    const res = await postEmpty(jar, '/api/token/blacklist/', csrf(jar));
    await expectJson(res, 200, {});
    expectTokenCookiesExpired(res);
    await expect401(await postEmpty(oldJar, '/api/token/refresh/', csrf(oldJar)), BLACKLISTED);
  });

  it('refuses the refresh cookie without the CSRF token, and the token stays usable', async () => {
    const { jar } = await login();
    const res = await postEmpty(jar, '/api/token/blacklist/');
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await postEmpty(jar, '/api/token/refresh/', csrf(jar))).status).toBe(200);
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

    const me = { id: user.id, username: user.username, email: user.email };
    await expectJson(await getMe(jar), 200, me);

    const refresh = await postEmpty(jar, '/api/token/refresh/', {
      ...csrf(jar),
      Origin: ORIGIN,
      'Sec-Fetch-Site': 'same-origin',
    });
    expect(refresh.status).toBe(200);
    jar.store(refresh);
    expect(jar.get('access_token')).not.toBe(firstAccess);
    expect(jar.get('refresh_token')).not.toBe(firstRefresh);

    await expectJson(await getMe(jar), 200, me);
    await expectJson(await getMe(jar.without('refresh_token', 'csrftoken')), 200, me);

    const logout = await postEmpty(jar, '/api/token/logout/', csrf(jar));
    await expectJson(logout, 200, { detail: 'Successfully logged out.' });
    jar.store(logout);
    await expect401(await getMe(jar), {
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });
});
