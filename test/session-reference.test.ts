/**
 * Every Session / CSRF case of shared/drf-reference.md, run with DRF's order
 * (Session first) and with edgeauth's default order (JWT first, the
 * reference's "Variant"): the session on `/api/me/`, CSRF on `/api/echo/`, a
 * header credential beside the session cookie, and the browsable API's
 * logout.
 */
import { describe, expect, it } from 'vitest';
import {
  BEARER,
  INVALID_ACCESS,
  NOT_PROVIDED,
  PASSWORD,
  bearer,
  expectJson,
  makeUser,
  me,
  obtainPair,
  postJson,
  publicUser,
  type App,
  type TestUser,
} from './helpers';
import {
  COOKIE_NOT_SET,
  CookieJar,
  MISSING_OR_INCORRECT,
  OTHER_CSRF_TOKEN,
  csrf,
  expectSessionCookieDeleted,
  formLogin,
  send,
} from './helpers/browser';
import { NEVER_CACHE, expectCsrfFailurePage, postForm } from './helpers/pages';
import { ECHO, SESSION_FIRST, echo, postEcho, referenceApp } from './helpers/reference';

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
    app: referenceApp({ settings: SESSION_FIRST }),
    failure: { status: 403, challenge: null },
    garbageBearer: { status: 200, body: publicUser, challenge: null },
    logoutRedirect: '/api/public/',
    headerBesideSession: { status: 403, body: MISSING_OR_INCORRECT, handlerRuns: 0 },
  },
  {
    name: 'JWT first (edgeauth’s default, the reference variant)',
    app: referenceApp(),
    failure: { status: 401, challenge: BEARER },
    garbageBearer: { status: 401, body: () => INVALID_ACCESS, challenge: BEARER },
    logoutRedirect: '/',
    headerBesideSession: { status: 200, body: ECHO, handlerRuns: 1 },
  },
];

/** Turns the logged-in jar into the cookies and headers a case sends. */
type Strip = (jar: CookieJar) => { jar: CookieJar; headers: Record<string, string> };

/** One way to send `POST /api-auth/logout/` from the jar. */
type Logout = (app: App, jar: CookieJar) => Promise<Response>;

describe.each(ORDERS)('the reference session cases, $name', (order) => {
  const { app } = order;

  it('me_session_ok: GET /api/me/ with the session cookie answers the user', async () => {
    const alice = await formLogin(app, await makeUser(app));
    await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
  });

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
      const before = echo.runs;
      const res = await postEcho(app, jar, headers);
      await expectJson(res, 403, expected);
      expect(res.headers.get('WWW-Authenticate')).toBeNull();
      expect(echo.runs).toBe(before);
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
    const before = echo.runs;
    const res = await postEcho(app, alice.jar, bearer(access));
    await expectJson(res, order.headerBesideSession.status, order.headerBesideSession.body);
    expect(echo.runs - before).toBe(order.headerBesideSession.handlerRuns);
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
    const res = await me(app, alice.jar, bearer('not-a-jwt'));
    await expectJson(res, order.garbageBearer.status, order.garbageBearer.body(alice.user));
    expect(res.headers.get('WWW-Authenticate')).toBe(order.garbageBearer.challenge);
  });

  it('an anonymous request is refused with this order’s status and challenge', async () => {
    const res = await postEcho(app, new CookieJar());
    await expectJson(res, order.failure.status, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(order.failure.challenge);
  });

  it.each<[string, Logout]>([
    [
      'without the csrftoken cookie',
      (target, jar) => send(target, jar.without('csrftoken'), 'POST', '/api-auth/logout/'),
    ],
    [
      'with the csrftoken cookie but no token in the form',
      (target, jar) => postForm(target, '/api-auth/logout/', jar, {}),
    ],
  ])(
    'session_logout_no_csrf: POST /api-auth/logout/ %s → Django’s 403 page, and the session lives',
    async (_case, logoutWithoutCsrf) => {
      const alice = await formLogin(app, await makeUser(app));
      const res = await logoutWithoutCsrf(app, alice.jar);
      await expectCsrfFailurePage(res);
      expect(res.headers.getSetCookie()).toEqual([]);
      await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
    },
  );

  it.each<[string, Logout]>([
    [
      'X-CSRFToken',
      (target, jar) => send(target, jar, 'POST', '/api-auth/logout/', { headers: csrf(jar) }),
    ],
    [
      'the csrfmiddlewaretoken field',
      (target, jar) =>
        postForm(target, '/api-auth/logout/', jar, { csrfmiddlewaretoken: jar.get('csrftoken')! }),
    ],
  ])(
    'session_logout, me_session_after_logout (CSRF token in %s): the cookie is deleted; the old one is refused and deleted again',
    async (_case, logoutWithCsrf) => {
      const alice = await formLogin(app, await makeUser(app));
      const old = alice.jar.without();
      const logout = await logoutWithCsrf(app, alice.jar);
      expect(logout.status).toBe(302);
      expect(logout.headers.get('Location')).toBe(order.logoutRedirect);
      expect(logout.headers.get('Cache-Control')).toBe(NEVER_CACHE);
      expect(await logout.text()).toBe('');
      expectSessionCookieDeleted(logout);

      const after = await me(app, old);
      await expectJson(after, order.failure.status, NOT_PROVIDED);
      expect(after.headers.get('WWW-Authenticate')).toBe(order.failure.challenge);
      expectSessionCookieDeleted(after);
    },
  );

  it('a dead session on the AllowAny view is anonymous, and its cookie is deleted', async () => {
    const jar = new CookieJar().set('sessionid', `1.${'a'.repeat(32)}`);
    const res = await send(app, jar, 'GET', '/api/public/');
    await expectJson(res, 200, { public: true, authenticated: false });
    expectSessionCookieDeleted(res);
  });
});
