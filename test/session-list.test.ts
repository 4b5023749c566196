/**
 * The user's sessions: the list, revoking one, and logging out every other
 * one; no user can see or revoke another user's sessions.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  BEARER,
  NOT_PROVIDED,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  obtainPair,
  publicUser,
  testVars,
} from './helpers';
import {
  MISSING_OR_INCORRECT,
  csrf,
  expectSessionCookieDeleted,
  jsonLogin,
  listSessions,
  publicIdOf,
  send,
  type Browser,
  type ListedSession,
} from './helpers/browser';

const app = makeApp();
const NOT_FOUND = { detail: 'Not found.', code: 'not_found' };

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('GET /api/auth/sessions/', () => {
  const start = Date.parse('2031-06-01T00:00:00Z');

  it('lists the user’s sessions newest first, with details and the current one marked', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(start);
    const user = await makeUser(app);
    const laptop = await jsonLogin(app, user, {
      'User-Agent': 'Laptop/1.0',
      'CF-Connecting-IP': '203.0.113.7',
    });
    vi.setSystemTime(start + 60_000);
    const phone = await jsonLogin(app, user, {
      'User-Agent': 'Phone/2.0',
      'CF-Connecting-IP': '2001:db8::1',
      'X-Forwarded-For': '198.51.100.1',
    });
    await jsonLogin(app, await makeUser(app)); // another user's session, never listed
    vi.setSystemTime(start + 120_000);
    const laptopId = await publicIdOf(app, laptop.jar);

    const res = await send(app, phone.jar, 'GET', '/api/auth/sessions/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const fortnight = 14 * 86_400_000;
    const iso = (ms: number) => new Date(ms).toISOString();
    expect(await res.json()).toEqual([
      {
        id: await publicIdOf(app, phone.jar),
        created: iso(start + 60_000),
        last_seen: iso(start + 60_000),
        expires: iso(start + 60_000 + fortnight),
        user_agent: 'Phone/2.0',
        ip: '2001:db8::1',
        current: true,
      },
      {
        id: laptopId,
        created: iso(start),
        last_seen: iso(start),
        expires: iso(start + fortnight),
        user_agent: 'Laptop/1.0',
        ip: '203.0.113.7',
        current: false,
      },
    ]);
  });

  it.each([
    ['only X-Forwarded-For', { 'X-Forwarded-For': '198.51.100.1' }],
    ['only X-Real-IP', { 'X-Real-IP': '198.51.100.1' }],
    ['a CF-Connecting-IP that is not an address', { 'CF-Connecting-IP': '<script>' }],
  ])('records no IP for %s', async (_case, headers: Record<string, string>) => {
    const alice = await jsonLogin(app, await makeUser(app), headers);
    const [session] = await listSessions(app, alice.jar);
    expect(session!.ip).toBeNull();
    expect(session!.user_agent).toBeNull();
  });

  it('lists the sessions for a JWT client too, none of them current', async () => {
    const user = await makeUser(app);
    await jsonLogin(app, user);
    const { access } = await obtainPair(app, user);
    const res = await call(app, '/api/auth/sessions/', { headers: bearer(access) });
    expect(res.status).toBe(200);
    const sessions = (await res.json()) as ListedSession[];
    expect(sessions.map((session) => session.current)).toEqual([false]);
  });

  it('answers 401 with the Bearer challenge without credentials', async () => {
    const res = await call(app, '/api/auth/sessions/');
    await expectJson(res, 401, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  });
});

describe('DELETE /api/auth/sessions/{id}/', () => {
  it('revokes another session of the user: 204, gone from the list, dead', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const phoneId = await publicIdOf(app, phone.jar);
    const laptopId = await publicIdOf(app, laptop.jar);

    const res = await send(app, laptop.jar, 'DELETE', `/api/auth/sessions/${phoneId}/`, {
      headers: csrf(laptop.jar),
    });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(res.headers.getSetCookie()).toEqual([]);
    await expectJson(await me(app, phone.jar), 401, NOT_PROVIDED);
    expect((await listSessions(app, laptop.jar)).map((session) => session.id)).toEqual([laptopId]);
  });

  it('revokes the current session and deletes its cookie', async () => {
    const alice = await jsonLogin(app, await makeUser(app));
    const id = await publicIdOf(app, alice.jar);
    const res = await send(app, alice.jar, 'DELETE', `/api/auth/sessions/${id}/`, {
      headers: csrf(alice.jar),
    });
    expect(res.status).toBe(204);
    expectSessionCookieDeleted(res);
    await expectJson(await me(app, alice.jar), 401, NOT_PROVIDED);
  });

  it('needs CSRF from a session, and the target session survives a refusal', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const phoneId = await publicIdOf(app, phone.jar);
    const res = await send(app, laptop.jar, 'DELETE', `/api/auth/sessions/${phoneId}/`);
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    await expectJson(await me(app, phone.jar), 200, publicUser(user));
  });

  it('works for a JWT client without CSRF', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const phoneId = await publicIdOf(app, phone.jar);
    const { access } = await obtainPair(app, user);
    const res = await call(app, `/api/auth/sessions/${phoneId}/`, {
      method: 'DELETE',
      headers: bearer(access),
    });
    expect(res.status).toBe(204);
    await expectJson(await me(app, phone.jar), 401, NOT_PROVIDED);
  });

  it('answers another user’s session id exactly like an unknown one, and theirs keeps working', async () => {
    const bob = await jsonLogin(app, await makeUser(app));
    const bobId = await publicIdOf(app, bob.jar);
    const mallory = await jsonLogin(app, await makeUser(app));
    const attempt = (id: string) =>
      send(app, mallory.jar, 'DELETE', `/api/auth/sessions/${id}/`, {
        headers: csrf(mallory.jar),
      });

    const foreign = await attempt(bobId);
    const unknown = await attempt('0123456789abcdef0123456789abcdef');
    for (const res of [foreign, unknown]) {
      await expectJson(res, 404, NOT_FOUND);
      expect(res.headers.getSetCookie()).toEqual([]);
    }
    expect([...foreign.headers]).toEqual([...unknown.headers]);
    await expectJson(await me(app, bob.jar), 200, publicUser(bob.user));
    expect(await env.KV.get(`sess:${bobId}`)).not.toBeNull();
  });

  it.each([
    ['the session cookie value itself', (browser: Browser) => browser.sessionId],
    ['the secret part of the cookie', (browser: Browser) => browser.sessionId.split('.')[1]!],
    ['a malformed id', () => 'not-an-id'],
  ])('answers 404 for %s, and nothing is revoked', async (_case, idOf) => {
    const alice = await jsonLogin(app, await makeUser(app));
    const res = await send(
      app,
      alice.jar,
      'DELETE',
      `/api/auth/sessions/${encodeURIComponent(idOf(alice))}/`,
      { headers: csrf(alice.jar) },
    );
    await expectJson(res, 404, NOT_FOUND);
    await expectJson(await me(app, alice.jar), 200, publicUser(alice.user));
  });
});

describe('POST /api/auth/sessions/logoutothers/', () => {
  it('ends every session of the user but the current one, and no one else’s', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const tablet = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const bob = await jsonLogin(app, await makeUser(app));

    const res = await send(app, laptop.jar, 'POST', '/api/auth/sessions/logoutothers/', {
      headers: csrf(laptop.jar),
    });
    await expectJson(res, 200, { detail: 'Logged out of every other session.', revoked: 2 });
    expect(res.headers.getSetCookie()).toEqual([]);
    for (const browser of [phone, tablet]) {
      await expectJson(await me(app, browser.jar), 401, NOT_PROVIDED);
    }
    await expectJson(await me(app, laptop.jar), 200, publicUser(user));
    await expectJson(await me(app, bob.jar), 200, publicUser(bob.user));
    const left = await listSessions(app, laptop.jar);
    expect(left.map((session) => session.current)).toEqual([true]);
  });

  it('needs CSRF from a session, and nothing is ended on refusal', async () => {
    const user = await makeUser(app);
    const phone = await jsonLogin(app, user);
    const laptop = await jsonLogin(app, user);
    const res = await send(app, laptop.jar, 'POST', '/api/auth/sessions/logoutothers/');
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    await expectJson(await me(app, phone.jar), 200, publicUser(user));
  });
});

describe('an ended session stays ended', () => {
  it('is not revived by a "last seen" write that was already under way', async () => {
    const user = await makeUser(app);
    const config = parseConfig(testVars({ SESSION_TOUCH_INTERVAL: '1' }));
    const { login, sessions } = createServices(config, cloudflareStores(env));
    const attempt = { ...user, channel: 'session' as const, client: { userAgent: null, ip: null } };
    const result = await login.logIn(attempt, { kind: 'session' });
    if (!result.ok) throw new Error('the test account could not log in');
    const { sessionId } = result.issued;
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 2000);
    const live = await sessions.validate(sessionId);
    expect(live?.touch).toBeDefined();
    await sessions.end(sessionId);
    await live!.touch!();
    expect(await sessions.validate(sessionId)).toBeNull();
    expect((await sessions.list(user.id)).map((session) => session.id)).not.toContain(
      live!.publicId,
    );
  });
});
