/**
 * `POST /api/auth/login/`, the JSON session login: its answer and cookies,
 * a new session id and CSRF token at every login (no fixation, on this route
 * and on the HTML form), the CSRF and login-CSRF checks, its bad inputs, and
 * how the session is keyed in KV.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  NOT_PROVIDED,
  PASSWORD,
  call,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  postJson,
  publicUser,
  type TestUser,
} from './helpers';
import {
  CSRF_TOKEN,
  CookieJar,
  MISSING_OR_INCORRECT,
  OTHER_CSRF_TOKEN,
  SESSION_ID,
  csrf,
  csrfFailed,
  expectLoginCookies,
  expectSessionCookieDeleted,
  formLogin,
  jsonLogin,
  parseSetCookie,
  publicIdOf,
  send,
  setCookies,
  type Browser,
} from './helpers/browser';

const app = makeApp();

describe('POST /api/auth/login/', () => {
  it('answers {id, username, email, email_verified} and sets sessionid and csrftoken with their attributes', async () => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/auth/login/', {
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['id', 'username', 'email', 'email_verified']);
    expect(JSON.parse(text)).toEqual(publicUser(user));
    expect(res.headers.get('Cache-Control')).toBe('no-store');

    expect(res.headers.getSetCookie()).toHaveLength(2);
    const { csrftoken } = expectLoginCookies(res, user);
    expect(csrftoken.attributes).toEqual({
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
    await expectJson(res, 200, publicUser(user));
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
    await expectJson(await me(app, first.jar), 200, publicUser(user));
    await expectJson(await me(app, second.jar), 200, publicUser(user));
  });

  it('ends another user’s session presented at login, and starts one for the new user', async () => {
    const alice = await jsonLogin(app, await makeUser(app));
    const oldJar = alice.jar.without();
    const bob = await makeUser(app);
    const after = await jsonLogin(app, bob, csrf(alice.jar), alice.jar);
    await expectJson(await me(app, after.jar), 200, publicUser(bob));
    await expectJson(await me(app, oldJar), 401, NOT_PROVIDED);
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
    await expectJson(await me(app, alice.jar), 200, publicUser(user));
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
    [
      'an inactive user',
      async (user: TestUser) => {
        await markInactive(user);
        return { username: user.username, password: PASSWORD };
      },
    ],
  ])('answers 400 non_field_errors for %s and sets no cookie', async (_case, fields) => {
    const user = await makeUser(app);
    const res = await postJson(app, '/api/auth/login/', await fields(user));
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
    await expectJson(res, 200, publicUser(user));
  });
});

/** A login from a browser that already holds a live session (and its CSRF token) in `before`. */
type LoginAgain = (user: TestUser, before: Browser) => Promise<Browser>;

describe('a login over a live session (fixation)', () => {
  it.each<[string, LoginAgain]>([
    ['POST /api/auth/login/', (user, before) => jsonLogin(app, user, csrf(before.jar), before.jar)],
    ['the HTML form at /api-auth/login/', (user, before) => formLogin(app, user, before.jar)],
  ])(
    '%s rotates the old session: new id, new CSRF token, and the old id is dead',
    async (_case, loginAgain) => {
      const user = await makeUser(app);
      const before = await jsonLogin(app, user);
      const oldJar = before.jar.without();
      const after = await loginAgain(user, before);
      expect(after.sessionId).toMatch(SESSION_ID);
      expect(after.sessionId).not.toBe(before.sessionId);
      expect(after.jar.get('csrftoken')).toMatch(CSRF_TOKEN);
      expect(after.jar.get('csrftoken')).not.toBe(oldJar.get('csrftoken'));

      await expectJson(await me(app, after.jar), 200, publicUser(user));
      const old = await me(app, oldJar);
      await expectJson(old, 401, NOT_PROVIDED);
      expectSessionCookieDeleted(old);
    },
  );
});

describe('session ids in KV', () => {
  it('keys the record by a public id derived from the session id, never by the id or its secret', async () => {
    const alice = await jsonLogin(app, await makeUser(app));
    const [, userId, secret] = SESSION_ID.exec(alice.sessionId)!;
    const publicId = await publicIdOf(app, alice.jar);
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
