/**
 * How sessions end on request: `POST /api/auth/logout/` ends the session in
 * use (and only it), and the revoked-before marker that "log out everywhere"
 * writes ends every session of the user at once.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { kvRevocationList } from '../src/storage/kv/revocation-list';
import {
  NOT_PROVIDED,
  bearer,
  call,
  expectJson,
  freezeAt,
  makeApp,
  makeUser,
  me,
  obtainPair,
  publicUser,
} from './helpers';
import {
  COOKIE_NOT_SET,
  MISSING_OR_INCORRECT,
  csrf,
  expectSessionCookieDeleted,
  jsonLogin,
  publicIdOf,
  send,
  type CookieJar,
} from './helpers/browser';

const app = makeApp();

afterEach(() => {
  vi.useRealTimers();
});

describe('POST /api/auth/logout/', () => {
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
    await expectJson(await me(app, old), 401, NOT_PROVIDED);
  });

  it('ends only the session in use: the user’s other sessions go on', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const res = await send(app, phone.jar, 'POST', '/api/auth/logout/', {
      headers: csrf(phone.jar),
    });
    expect(res.status).toBe(200);
    await expectJson(await me(app, laptop.jar), 200, publicUser(user));
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
      await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
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

describe('the revoked-before marker', () => {
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
      const dead = await me(app, browser.jar);
      await expectJson(dead, 401, NOT_PROVIDED);
      expectSessionCookieDeleted(dead);
    }
    await expectJson(await me(app, bob.jar), 200, publicUser(bob.user));
    const again = await jsonLogin(app, user);
    await expectJson(await me(app, again.jar), 200, publicUser(user));
  });

  it('kills a session created before it even while the session record is still in KV', async () => {
    const start = Date.parse('2031-05-01T00:00:00Z');
    freezeAt(start);
    const user = await makeUser(app);
    const before = await jsonLogin(app, user);
    const publicId = await publicIdOf(app, before.jar);

    vi.setSystemTime(start + 1000);
    await kvRevocationList(env.KV).setRevokedBefore(user.id, Date.now(), 3600);
    expect(await env.KV.get(`sess:${publicId}`)).not.toBeNull();
    await expectJson(await me(app, before.jar), 401, NOT_PROVIDED);

    vi.setSystemTime(start + 2000);
    const after = await jsonLogin(app, user);
    await expectJson(await me(app, after.jar), 200, publicUser(user));
  });
});
