/**
 * How sessions end with time (frozen): the idle timeout that every use
 * slides, the absolute end `SESSION_COOKIE_AGE` after login, and the session
 * list leaving idle sessions out.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  BEARER,
  NOT_PROVIDED,
  PASSWORD,
  expectJson,
  freezeAt,
  makeApp,
  makeUser,
  me,
  postJson,
  publicUser,
} from './helpers';
import {
  CookieJar,
  expectSessionCookieDeleted,
  jsonLogin,
  listSessions,
  setCookies,
} from './helpers/browser';

afterEach(() => {
  vi.useRealTimers();
});

describe('idle timeout and absolute expiry (frozen time)', () => {
  const start = Date.parse('2031-03-01T00:00:00Z');
  const at = (seconds: number) => vi.setSystemTime(start + seconds * 1000);

  it('ends a session unused for SESSION_IDLE_TIMEOUT; every use slides the end', async () => {
    freezeAt(start);
    const app = makeApp({
      settings: { SESSION_IDLE_TIMEOUT: '600', SESSION_TOUCH_INTERVAL: '60' },
    });
    const alice = await jsonLogin(app, await makeUser(app));
    at(599);
    await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
    at(599 + 599);
    await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
    at(599 + 599 + 600);
    const res = await me(app, alice.jar);
    await expectJson(res, 401, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
    expectSessionCookieDeleted(res);
  });

  it('keeps a session exactly until one second before its idle end', async () => {
    freezeAt(start);
    const app = makeApp({ settings: { SESSION_IDLE_TIMEOUT: '600' } });
    const user = await makeUser(app);
    const early = await jsonLogin(app, user);
    const late = await jsonLogin(app, user);
    at(599);
    await expectJson(await me(app, early.jar), 200, publicUser(user));
    at(600);
    await expectJson(await me(app, late.jar), 401, NOT_PROVIDED);
  });

  it('ends a session SESSION_COOKIE_AGE after login however busy it is', async () => {
    freezeAt(start);
    const app = makeApp({
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
      await expectJson(await me(app, jar), 200, publicUser(user));
    }
    at(3600);
    const dead = await me(app, jar);
    await expectJson(dead, 401, NOT_PROVIDED);
    expectSessionCookieDeleted(dead);
  });

  it('leaves idle sessions out of the session list', async () => {
    freezeAt(start);
    const app = makeApp({
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
