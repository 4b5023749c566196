/**
 * What session authentication costs in storage (one KV read per request,
 * "last seen" written at most once per `SESSION_TOUCH_INTERVAL`, no D1), and
 * failing closed when KV cannot be reached.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  PASSWORD,
  UNAVAILABLE,
  expectJson,
  freezeAt,
  makeUser,
  me,
  postJson,
  publicUser,
  unreachableKV,
  type TestUser,
} from './helpers';
import { csrf, jsonLogin, listSessions, send, type Browser } from './helpers/browser';
import { ECHO, echo, postEcho, referenceApp } from './helpers/reference';
import { methods, recording, type Recorded } from './helpers/storage';

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe('storage cost of session authentication', () => {
  const start = Date.parse('2031-04-01T00:00:00Z');

  it('writes "last seen" at most once per SESSION_TOUCH_INTERVAL, and the list shows it', async () => {
    freezeAt(start);
    const kvCalls: Recorded[] = [];
    const app = referenceApp({
      settings: { SESSION_TOUCH_INTERVAL: '60' },
      bindings: { KV: recording(env.KV, kvCalls) },
    });
    const alice = await jsonLogin(app, await makeUser(app));
    const puts = () => methods(kvCalls).filter((method) => method === 'put').length;
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
      freezeAt(start);
      const kvCalls: Recorded[] = [];
      const d1Calls: Recorded[] = [];
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
      expect(methods(kvCalls)).toEqual(['get']);
      expect(methods(d1Calls)).toEqual([]);
    },
  );
});

describe('when KV is unreachable', () => {
  const app = referenceApp();
  const down = referenceApp({ bindings: { KV: unreachableKV() } });
  let user: TestUser;
  let alice: Browser;

  beforeAll(async () => {
    user = await makeUser(app);
    alice = await jsonLogin(app, user);
  });

  it.each([
    ['GET /api/me/', 'GET', '/api/me/'],
    ['GET /api/public/ (AllowAny: never anonymous instead)', 'GET', '/api/public/'],
    ['POST /api/echo/', 'POST', '/api/echo/'],
    ['GET /api/auth/sessions/', 'GET', '/api/auth/sessions/'],
  ])('%s with a session cookie answers 503 service_unavailable', async (_case, method, path) => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const before = echo.runs;
    const res = await send(down, alice.jar, method, path, { headers: csrf(alice.jar) });
    await expectJson(res, 503, UNAVAILABLE);
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(echo.runs).toBe(before);
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
    await expectJson(await me(app, alice.jar), 200, publicUser(user));
  });
});
