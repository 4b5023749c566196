/**
 * SessionAuthentication, CSRF and the JSON session routes: every Session /
 * CSRF case of shared/drf-reference.md, run with DRF's order (Session first)
 * and with edgeauth's default order (JWT first, the reference's "Variant"),
 * then what edgeauth adds: login rotation (no fixation), idle and absolute
 * expiry, throttled "last seen" writes, the revoked-before marker, failing
 * closed when KV is down, the session list and its revocation routes, and
 * session ids never written to KV.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { readData } from '../src/http/body';
import { AllowAny, IsAuthenticated, authenticate, requirePermission } from '../src/lib';
import { kvRevocationList } from '../src/storage/kv/revocation-list';
import {
  BEARER,
  PASSWORD,
  bearer,
  call,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  unreachableKV,
  type App,
  type MakeAppOptions,
  type TestUser,
} from './helpers';
import {
  CookieJar,
  csrf,
  expectJson,
  expectSessionCookieDeleted,
  formLogin,
  getMe,
  jsonLogin,
  listSessions,
  me,
  publicIdOf,
  parseSetCookie,
  send,
  setCookies,
  type Browser,
} from './helpers/browser';

const OTHER_CSRF_TOKEN = 'A'.repeat(64);
const SESSION_ID = /^(\d+)\.([a-z0-9]{32})$/;
const CSRF_TOKEN = /^[A-Za-z0-9]{64}$/;
const ECHO = { msg: 'hello', n: 1, nested: { list: [1, 2, 3], ok: true } };
const NOT_PROVIDED = {
  detail: 'Authentication credentials were not provided.',
  code: 'not_authenticated',
};
const GARBAGE_BEARER = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [
    { token_class: 'AccessToken', token_type: 'access', message: 'Token is invalid or expired' },
  ],
};
const UNAVAILABLE = {
  detail: 'The authentication service is temporarily unavailable. Try again later.',
  code: 'service_unavailable',
};

function csrfFailed(reason: string) {
  return { detail: `CSRF Failed: ${reason}`, code: 'permission_denied' };
}
const MISSING_OR_INCORRECT = csrfFailed('CSRF token missing or incorrect.');
const COOKIE_NOT_SET = csrfFailed('CSRF cookie not set.');

/** DRF's default order, with the reference server's redirect settings. */
const SESSION_FIRST = {
  DEFAULT_AUTHENTICATION_CLASSES: 'SessionAuthentication,TokenAuthentication,JWTAuthentication',
  LOGIN_REDIRECT_URL: '/api/me/',
  LOGOUT_REDIRECT_URL: '/api/public/',
};

let echoRuns = 0;

/** An edgeauth app with the reference server's `/api/public/` and `/api/echo/` views. */
function referenceApp(options: MakeAppOptions = {}): App {
  const app = makeApp(options);
  app.all('/api/public', authenticate(), requirePermission(AllowAny), (c) =>
    c.json({ public: true, authenticated: c.var.auth !== null }),
  );
  app.all('/api/echo', authenticate(), requirePermission(IsAuthenticated), async (c) => {
    echoRuns += 1;
    return c.json(await readData(c));
  });
  return app;
}

const jwtFirst = referenceApp();
const sessionFirst = referenceApp({ settings: SESSION_FIRST });

function postEcho(app: App, jar: CookieJar, headers: Record<string, string> = {}) {
  return send(app, jar, 'POST', '/api/echo/', {
    headers: { 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(ECHO),
  });
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface Order {
  name: string;
  app: App;
  /** How an authentication failure answers with this order. */
  failure: { status: number; challenge: string | null };
  /** `me_session_and_garbage_bearer`. */
  garbageBearer: { status: number; body: (user: TestUser) => unknown; challenge: string | null };
  /** `LOGOUT_REDIRECT_URL`: the reference server's, or edgeauth's default. */
  logoutRedirect: string;
  /** `echo_session_and_bearer_no_csrf` (and the same with a `Token` header). */
  headerBesideSession: { status: number; body: unknown; handlerRuns: number };
}

const ORDERS: Order[] = [
  {
    name: 'Session first (DRF’s order)',
    app: sessionFirst,
    failure: { status: 403, challenge: null },
    garbageBearer: { status: 200, body: me, challenge: null },
    logoutRedirect: '/api/public/',
    headerBesideSession: { status: 403, body: MISSING_OR_INCORRECT, handlerRuns: 0 },
  },
  {
    name: 'JWT first (edgeauth’s default, the reference variant)',
    app: jwtFirst,
    failure: { status: 401, challenge: BEARER },
    garbageBearer: { status: 401, body: () => GARBAGE_BEARER, challenge: BEARER },
    logoutRedirect: '/',
    headerBesideSession: { status: 200, body: ECHO, handlerRuns: 1 },
  },
];

describe.each(ORDERS)('the reference session cases, $name', (order) => {
  const { app } = order;

  it('me_session_ok: GET /api/me/ with the session cookie answers the user', async () => {
    const alice = await formLogin(app, await makeUser(app));
    await expectJson(await getMe(app, alice.jar), 200, me(alice.user));
  });

  /** Turns the logged-in jar into the cookies and headers a case sends. */
  type Strip = (jar: CookieJar) => { jar: CookieJar; headers: Record<string, string> };

  it.each<[string, Strip, unknown]>([
    ['echo_session_no_csrf: no X-CSRFToken', (jar) => ({ jar, headers: {} }), MISSING_OR_INCORRECT],
    [
      'echo_session_no_csrf_cookie: X-CSRFToken but no csrftoken cookie',
      (jar) => ({ jar: jar.without('csrftoken'), headers: csrf(jar) }),
      COOKIE_NOT_SET,
    ],
    [
      'echo_session_wrong_csrf: another 64-character token',
      (jar) => ({ jar, headers: { 'X-CSRFToken': OTHER_CSRF_TOKEN } }),
      MISSING_OR_INCORRECT,
    ],
  ])(
    '%s → 403 CSRF Failed without WWW-Authenticate, and the view never runs',
    async (_case, strip, expected) => {
      const alice = await formLogin(app, await makeUser(app));
      const { jar, headers } = strip(alice.jar);
      const before = echoRuns;
      const res = await postEcho(app, jar, headers);
      await expectJson(res, 403, expected);
      expect(res.headers.get('WWW-Authenticate')).toBeNull();
      expect(echoRuns).toBe(before);
    },
  );

  it('echo_session_csrf_ok: X-CSRFToken equal to the csrftoken cookie passes, body unchanged', async () => {
    const alice = await formLogin(app, await makeUser(app));
    await expectJson(await postEcho(app, alice.jar, csrf(alice.jar)), 200, ECHO);
  });

  it('echo_session_and_bearer_no_csrf: session cookie + valid Bearer, no X-CSRFToken', async () => {
    const user = await makeUser(app);
    const alice = await formLogin(app, user);
    const { access } = await obtainPair(app, user);
    const before = echoRuns;
    const res = await postEcho(app, alice.jar, bearer(access));
    await expectJson(res, order.headerBesideSession.status, order.headerBesideSession.body);
    expect(echoRuns - before).toBe(order.headerBesideSession.handlerRuns);
  });

  it('session cookie + valid Token header, no X-CSRFToken: decided like the Bearer case', async () => {
    const user = await makeUser(app);
    const alice = await formLogin(app, user);
    const issued = await postJson(app, '/api-token-auth/', {
      username: user.username,
      password: PASSWORD,
    });
    const { token } = (await issued.json()) as { token: string };
    const res = await postEcho(app, alice.jar, { Authorization: `Token ${token}` });
    await expectJson(res, order.headerBesideSession.status, order.headerBesideSession.body);
  });

  it('a Bearer request with only a csrftoken cookie (no session) needs no CSRF', async () => {
    const user = await makeUser(app);
    const { access } = await obtainPair(app, user);
    const jar = new CookieJar().set('csrftoken', OTHER_CSRF_TOKEN);
    await expectJson(await postEcho(app, jar, bearer(access)), 200, ECHO);
  });

  it('me_session_and_garbage_bearer: session cookie + Authorization: Bearer not-a-jwt', async () => {
    const alice = await formLogin(app, await makeUser(app));
    const res = await getMe(app, alice.jar, bearer('not-a-jwt'));
    await expectJson(res, order.garbageBearer.status, order.garbageBearer.body(alice.user));
    expect(res.headers.get('WWW-Authenticate')).toBe(order.garbageBearer.challenge);
  });

  it('an anonymous request is refused with this order’s status and challenge', async () => {
    const res = await postEcho(app, new CookieJar());
    await expectJson(res, order.failure.status, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(order.failure.challenge);
  });

  it('session_logout_no_csrf: POST /api-auth/logout/ without CSRF → 403 HTML, session alive', async () => {
    const alice = await formLogin(app, await makeUser(app));
    const res = await send(app, alice.jar.without('csrftoken'), 'POST', '/api-auth/logout/');
    expect(res.status).toBe(403);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    const html = await res.text();
    expect(html).toContain('<title>403 Forbidden</title>');
    expect(html).toContain('<h1>Forbidden (403)</h1>');
    expect(html).toContain('<p>CSRF verification failed. Request aborted.</p>');
    expect(res.headers.getSetCookie()).toEqual([]);
    await expectJson(await getMe(app, alice.jar), 200, me(alice.user));
  });

  it('session_logout, me_session_after_logout: logout deletes the cookie; the old one is refused and deleted again', async () => {
    const alice = await formLogin(app, await makeUser(app));
    const old = alice.jar.without();
    const logout = await send(app, alice.jar, 'POST', '/api-auth/logout/', {
      headers: csrf(alice.jar),
    });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('Location')).toBe(order.logoutRedirect);
    expect(await logout.text()).toBe('');
    expectSessionCookieDeleted(logout);

    const after = await getMe(app, old);
    await expectJson(after, order.failure.status, NOT_PROVIDED);
    expect(after.headers.get('WWW-Authenticate')).toBe(order.failure.challenge);
    expectSessionCookieDeleted(after);
  });

  it('a dead session on the AllowAny view is anonymous, and its cookie is deleted', async () => {
    const jar = new CookieJar().set('sessionid', `1.${'a'.repeat(32)}`);
    const res = await send(app, jar, 'GET', '/api/public/');
    await expectJson(res, 200, { public: true, authenticated: false });
    expectSessionCookieDeleted(res);
  });
});

describe('POST /api/auth/login/', () => {
  const app = jwtFirst;

  it('answers {id, username, email} and sets sessionid and csrftoken with their attributes', async () => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/auth/login/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['id', 'username', 'email']);
    expect(JSON.parse(text)).toEqual(me(user));
    expect(res.headers.get('Cache-Control')).toBe('no-store');

    expect(res.headers.getSetCookie()).toHaveLength(2);
    const { sessionid, csrftoken } = setCookies(res);
    expect(sessionid!.value).toMatch(SESSION_ID);
    expect(SESSION_ID.exec(sessionid!.value)![1]).toBe(String(user.id));
    expect(sessionid!.attributes).toEqual({
      'max-age': '1209600',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
    expect(csrftoken!.value).toMatch(CSRF_TOKEN);
    expect(csrftoken!.attributes).toEqual({
      'max-age': '31449600',
      path: '/',
      secure: true,
      samesite: 'Lax',
    });
  });

  it('accepts a URL-encoded form as well as JSON', async () => {
    const user = await makeUser(app);
    const res = await call(app, '/api/auth/login/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: user.username, password: PASSWORD }).toString(),
    });
    await expectJson(res, 200, me(user));
    expect(setCookies(res).sessionid!.value).toMatch(SESSION_ID);
  });

  it('rotates the CSRF token the browser already holds', async () => {
    const user = await makeUser(app);
    const jar = new CookieJar().set('csrftoken', OTHER_CSRF_TOKEN);
    const { jar: after } = await jsonLogin(app, user, {}, jar);
    expect(after.get('csrftoken')).toMatch(CSRF_TOKEN);
    expect(after.get('csrftoken')).not.toBe(OTHER_CSRF_TOKEN);
  });

  it('starts a different session id on every login', async () => {
    const user = await makeUser(app);
    const first = await jsonLogin(app, user);
    const second = await jsonLogin(app, user);
    expect(second.sessionId).not.toBe(first.sessionId);
    await expectJson(await getMe(app, first.jar), 200, me(user));
    await expectJson(await getMe(app, second.jar), 200, me(user));
  });

  it('rotates an old valid session (fixation): new id, new CSRF token, and the old id is dead', async () => {
    const user = await makeUser(app);
    const before = await jsonLogin(app, user);
    const oldJar = before.jar.without();
    const after = await jsonLogin(app, user, csrf(before.jar), before.jar);
    expect(after.sessionId).toMatch(SESSION_ID);
    expect(after.sessionId).not.toBe(before.sessionId);
    expect(after.jar.get('csrftoken')).not.toBe(oldJar.get('csrftoken'));

    await expectJson(await getMe(app, after.jar), 200, me(user));
    const old = await getMe(app, oldJar);
    await expectJson(old, 401, NOT_PROVIDED);
    expectSessionCookieDeleted(old);
  });

  it('ends another user’s session presented at login, and starts one for the new user', async () => {
    const alice = await jsonLogin(app, await makeUser(app));
    const oldJar = alice.jar.without();
    const bob = await makeUser(app);
    const after = await jsonLogin(app, bob, csrf(alice.jar), alice.jar);
    await expectJson(await getMe(app, after.jar), 200, me(bob));
    await expectJson(await getMe(app, oldJar), 401, NOT_PROVIDED);
  });

  it('needs CSRF while a live session cookie is presented (SessionAuthentication runs first)', async () => {
    const user = await makeUser(app);
    const alice = await jsonLogin(app, user);
    const res = await send(app, alice.jar, 'POST', '/api/auth/login/', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    await expectJson(await getMe(app, alice.jar), 200, me(user));
  });

  it('sets exactly one sessionid cookie when the browser presents a dead one', async () => {
    const user = await makeUser(app);
    const jar = new CookieJar().set('sessionid', `${user.id}.${'a'.repeat(32)}`);
    const res = await send(app, jar, 'POST', '/api/auth/login/', {
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    // RFC 6265 §4.1.1: no two Set-Cookie lines for one name in one response.
    const lines = res.headers.getSetCookie().filter((line) => line.startsWith('sessionid='));
    expect(lines).toHaveLength(1);
    expect(parseSetCookie(lines[0]!).value).toMatch(SESSION_ID);
  });

  it.each([
    ['a wrong password', (user: TestUser) => ({ username: user.username, password: 'wrong' })],
    ['an unknown user', () => ({ username: 'nobody-at-all', password: PASSWORD })],
    [
      'the password in another case',
      (user: TestUser) => ({ username: user.username, password: PASSWORD.toUpperCase() }),
    ],
  ])('answers 400 non_field_errors for %s and sets no cookie', async (_case, fields) => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/auth/login/', fields(user));
    await expectJson(res, 400, {
      non_field_errors: ['Unable to log in with provided credentials.'],
    });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('answers the same 400 for an inactive user', async () => {
    const user = await makeUser(app);
    await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run();
    const res = await postJson(app, '/api/auth/login/', {
      username: user.username,
      password: PASSWORD,
    });
    await expectJson(res, 400, {
      non_field_errors: ['Unable to log in with provided credentials.'],
    });
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    [
      'missing',
      {},
      { username: ['This field is required.'], password: ['This field is required.'] },
    ],
    [
      'blank',
      { username: '', password: '' },
      { username: ['This field may not be blank.'], password: ['This field may not be blank.'] },
    ],
    ['a missing password', { username: 'alice' }, { password: ['This field is required.'] }],
  ])('answers field errors for %s fields', async (_case, fields, expected) => {
    const res = await postJson(app, '/api/auth/login/', fields);
    await expectJson(res, 400, expected);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it.each([
    [
      'a foreign Origin',
      { Origin: 'https://evil.example' },
      'Origin checking failed - https://evil.example does not match any trusted origins.',
    ],
    [
      'Sec-Fetch-Site: cross-site',
      { 'Sec-Fetch-Site': 'cross-site' },
      'Origin checking failed - a cross-site request does not match any trusted origins.',
    ],
  ])(
    'refuses a login from %s (login CSRF) with 403 and sets no cookie',
    async (_case, headers: Record<string, string>, reason) => {
      const user = await makeUser(app);
      const res = await postJson(
        app,
        '/api/auth/login/',
        { username: user.username, password: PASSWORD },
        headers,
      );
      await expectJson(res, 403, csrfFailed(reason));
      expect(res.headers.getSetCookie()).toEqual([]);
    },
  );

  it('accepts a same-origin browser login', async () => {
    const user = await makeUser(app);
    const res = await postJson(
      app,
      '/api/auth/login/',
      { username: user.username, password: PASSWORD },
      { Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' },
    );
    await expectJson(res, 200, me(user));
  });
});

describe('POST /api/auth/logout/', () => {
  const app = jwtFirst;

  it('deletes the KV record and the cookie, answers "Successfully logged out.", and the old cookie is dead', async () => {
    const alice = await jsonLogin(app, await makeUser(app));
    const publicId = await publicIdOf(app, alice.jar);
    const old = alice.jar.without();
    expect(await env.KV.get(`sess:${publicId}`)).not.toBeNull();

    const res = await send(app, alice.jar, 'POST', '/api/auth/logout/', {
      headers: csrf(alice.jar),
    });
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expectSessionCookieDeleted(res);
    expect(await env.KV.get(`sess:${publicId}`)).toBeNull();
    expect(await env.KV.get(`usess:${alice.user.id}:${publicId}`)).toBeNull();
    await expectJson(await getMe(app, old), 401, NOT_PROVIDED);
  });

  it('ends only the session in use: the user’s other sessions go on', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const res = await send(app, phone.jar, 'POST', '/api/auth/logout/', {
      headers: csrf(phone.jar),
    });
    expect(res.status).toBe(200);
    await expectJson(await getMe(app, laptop.jar), 200, me(user));
  });

  it.each([
    ['without the csrftoken cookie', (jar: CookieJar) => jar.without('csrftoken'), COOKIE_NOT_SET],
    ['without X-CSRFToken', (jar: CookieJar) => jar, MISSING_OR_INCORRECT],
  ])(
    'refuses a session %s with 403 CSRF Failed, and the session stays',
    async (_case, strip, expected) => {
      const alice = await jsonLogin(app, await makeUser(app));
      const res = await send(app, strip(alice.jar), 'POST', '/api/auth/logout/');
      await expectJson(res, 403, expected);
      expect(res.headers.getSetCookie()).toEqual([]);
      await expectJson(await getMe(app, alice.jar), 200, me(alice.user));
    },
  );

  it('answers 200 and deletes the cookie for a browser without a session (dj-rest-auth)', async () => {
    const res = await call(app, '/api/auth/logout/', { method: 'POST' });
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expectSessionCookieDeleted(res);
  });

  it('answers 405 to GET', async () => {
    const res = await call(app, '/api/auth/logout/');
    await expectJson(res, 405, { detail: 'Method "GET" not allowed.', code: 'method_not_allowed' });
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
  });
});

describe('idle timeout and absolute expiry (frozen time)', () => {
  const start = Date.parse('2031-03-01T00:00:00Z');
  const at = (seconds: number) => vi.setSystemTime(start + seconds * 1000);

  it('ends a session unused for SESSION_IDLE_TIMEOUT; every use slides the end', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const app = referenceApp({
      settings: { SESSION_IDLE_TIMEOUT: '600', SESSION_TOUCH_INTERVAL: '60' },
    });
    const alice = await jsonLogin(app, await makeUser(app));
    at(599);
    await expectJson(await getMe(app, alice.jar), 200, me(alice.user));
    at(599 + 599);
    await expectJson(await getMe(app, alice.jar), 200, me(alice.user));
    at(599 + 599 + 600);
    const res = await getMe(app, alice.jar);
    await expectJson(res, 401, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
    expectSessionCookieDeleted(res);
  });

  it('keeps a session exactly until one second before its idle end', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const app = referenceApp({ settings: { SESSION_IDLE_TIMEOUT: '600' } });
    const user = await makeUser(app);
    const early = await jsonLogin(app, user);
    const late = await jsonLogin(app, user);
    at(599);
    await expectJson(await getMe(app, early.jar), 200, me(user));
    at(600);
    await expectJson(await getMe(app, late.jar), 401, NOT_PROVIDED);
  });

  it('ends a session SESSION_COOKIE_AGE after login however busy it is', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const app = referenceApp({
      settings: {
        SESSION_COOKIE_AGE: '3600',
        SESSION_IDLE_TIMEOUT: '1800',
        SESSION_TOUCH_INTERVAL: '60',
      },
    });
    const user = await makeUser(app);
    const res = await postJson(app, '/api/auth/login/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(setCookies(res).sessionid!.attributes['max-age']).toBe('3600');
    const jar = new CookieJar().store(res);
    for (const seconds of [1200, 2400, 3599]) {
      at(seconds);
      await expectJson(await getMe(app, jar), 200, me(user));
    }
    at(3600);
    const dead = await getMe(app, jar);
    await expectJson(dead, 401, NOT_PROVIDED);
    expectSessionCookieDeleted(dead);
  });

  it('leaves idle sessions out of the session list', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    at(0);
    const app = referenceApp({
      settings: { SESSION_IDLE_TIMEOUT: '600', SESSION_TOUCH_INTERVAL: '60' },
    });
    const user = await makeUser(app);
    await jsonLogin(app, user, { 'User-Agent': 'Idle/1' });
    at(1);
    const busy = await jsonLogin(app, user, { 'User-Agent': 'Busy/1' });
    at(500);
    expect((await listSessions(app, busy.jar)).map((s) => s.user_agent)).toEqual([
      'Busy/1',
      'Idle/1',
    ]);
    at(600);
    expect((await listSessions(app, busy.jar)).map((s) => s.user_agent)).toEqual(['Busy/1']);
  });
});

/**
 * A spy over a real binding: records each method called, then forwards the
 * call to the binding itself, so storage still happens.
 */
function recording<T extends object>(target: T, calls: string[]): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push(String(property));
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

describe('storage cost of session authentication', () => {
  const start = Date.parse('2031-04-01T00:00:00Z');

  it('writes "last seen" at most once per SESSION_TOUCH_INTERVAL, and the list shows it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const kvCalls: string[] = [];
    const app = referenceApp({
      settings: { SESSION_TOUCH_INTERVAL: '60' },
      bindings: { KV: recording(env.KV, kvCalls) },
    });
    const alice = await jsonLogin(app, await makeUser(app));
    const puts = () => kvCalls.filter((method) => method === 'put').length;
    expect(puts()).toBe(2); // the record and the user's index entry

    for (const seconds of [1, 30, 59]) {
      vi.setSystemTime(start + seconds * 1000);
      await expectJson(await postEcho(app, alice.jar, csrf(alice.jar)), 200, ECHO);
    }
    expect(puts()).toBe(2);

    vi.setSystemTime(start + 60_000);
    await expectJson(await postEcho(app, alice.jar, csrf(alice.jar)), 200, ECHO);
    expect(puts()).toBe(4);
    vi.setSystemTime(start + 119_000);
    await expectJson(await postEcho(app, alice.jar, csrf(alice.jar)), 200, ECHO);
    expect(puts()).toBe(4);

    const [session] = await listSessions(app, alice.jar);
    expect(session!.last_seen).toBe(new Date(start + 60_000).toISOString());
  });

  it.each([
    ['GET /api/public/', 'GET', '/api/public/', { public: true, authenticated: true }],
    ['POST /api/echo/', 'POST', '/api/echo/', ECHO],
  ])(
    '%s with a session makes exactly one KV read, no KV write and no D1 query',
    async (_case, method, path, expected) => {
      vi.useFakeTimers({ toFake: ['Date'] });
      vi.setSystemTime(start);
      const kvCalls: string[] = [];
      const d1Calls: string[] = [];
      const app = referenceApp({
        bindings: { KV: recording(env.KV, kvCalls), DB: recording(env.DB, d1Calls) },
      });
      const alice = await jsonLogin(app, await makeUser(app));
      kvCalls.length = 0;
      d1Calls.length = 0;

      const res = await send(app, alice.jar, method, path, {
        headers: { ...csrf(alice.jar), 'Content-Type': 'application/json' },
        body: method === 'POST' ? JSON.stringify(ECHO) : undefined,
      });
      await expectJson(res, 200, expected);
      expect(kvCalls).toEqual(['get']);
      expect(d1Calls).toEqual([]);
    },
  );
});

describe('the revoked-before marker', () => {
  const app = jwtFirst;

  it('POST /api/token/logoutall/ with a JWT ends every session of the user, not others’', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const bob = await jsonLogin(app, await makeUser(app));
    const { access } = await obtainPair(app, user);

    const res = await call(app, '/api/token/logoutall/', {
      method: 'POST',
      headers: bearer(access),
    });
    await expectJson(res, 200, { detail: 'Successfully logged out everywhere.' });

    for (const browser of [phone, laptop]) {
      const dead = await getMe(app, browser.jar);
      await expectJson(dead, 401, NOT_PROVIDED);
      expectSessionCookieDeleted(dead);
    }
    await expectJson(await getMe(app, bob.jar), 200, me(bob.user));
    const again = await jsonLogin(app, user);
    await expectJson(await getMe(app, again.jar), 200, me(user));
  });

  it('kills a session created before it even while the session record is still in KV', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2031-05-01T00:00:00Z');
    vi.setSystemTime(start);
    const user = await makeUser(app);
    const before = await jsonLogin(app, user);
    const publicId = await publicIdOf(app, before.jar);

    vi.setSystemTime(start + 1000);
    await kvRevocationList(env.KV).setRevokedBefore(user.id, Date.now(), 3600);
    expect(await env.KV.get(`sess:${publicId}`)).not.toBeNull();
    await expectJson(await getMe(app, before.jar), 401, NOT_PROVIDED);

    vi.setSystemTime(start + 2000);
    const after = await jsonLogin(app, user);
    await expectJson(await getMe(app, after.jar), 200, me(user));
  });
});

describe('when KV is unreachable', () => {
  const down = referenceApp({ bindings: { KV: unreachableKV() } });
  let user: TestUser;
  let alice: Browser;

  beforeAll(async () => {
    user = await makeUser(jwtFirst);
    alice = await jsonLogin(jwtFirst, user);
  });

  it.each([
    ['GET /api/me/', 'GET', '/api/me/'],
    ['GET /api/public/ (AllowAny: never anonymous instead)', 'GET', '/api/public/'],
    ['POST /api/echo/', 'POST', '/api/echo/'],
    ['GET /api/auth/sessions/', 'GET', '/api/auth/sessions/'],
  ])('%s with a session cookie answers 503 service_unavailable', async (_case, method, path) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = echoRuns;
    const res = await send(down, alice.jar, method, path, { headers: csrf(alice.jar) });
    await expectJson(res, 503, UNAVAILABLE);
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(echoRuns).toBe(before);
    expect(log).toHaveBeenCalledWith(expect.stringContaining('storage unavailable: kv'));
  });

  it('a JSON login answers 503 and sets no cookie', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await postJson(down, '/api/auth/login/', {
      username: user.username,
      password: PASSWORD,
    });
    await expectJson(res, 503, UNAVAILABLE);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('the session works again once KV is back', async () => {
    await expectJson(await getMe(jwtFirst, alice.jar), 200, me(user));
  });
});

describe('session ids in KV', () => {
  it('keys the record by a public id derived from the session id, never by the id or its secret', async () => {
    const alice = await jsonLogin(jwtFirst, await makeUser(jwtFirst));
    const [, userId, secret] = SESSION_ID.exec(alice.sessionId)!;
    const publicId = await publicIdOf(jwtFirst, alice.jar);
    expect(publicId).toMatch(/^[0-9a-f]{32}$/);
    expect(publicId).not.toBe(secret);

    const { keys } = await env.KV.list();
    const names = keys.map((key) => key.name);
    expect(names).toContain(`sess:${publicId}`);
    expect(names).toContain(`usess:${userId}:${publicId}`);
    for (const name of names) {
      expect(name).not.toContain(secret);
      expect(name).not.toContain(alice.sessionId);
    }
    for (const name of [`sess:${publicId}`, `usess:${userId}:${publicId}`]) {
      const { value, metadata } = await env.KV.getWithMetadata(name);
      expect(`${value}${JSON.stringify(metadata)}`).not.toContain(secret!);
    }
  });
});
