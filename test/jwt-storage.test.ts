/**
 * JWT authentication and the token routes against their storage: failing
 * closed when D1 or KV cannot be reached or cannot write (shared/API.md,
 * deliberate difference 10), with log lines that carry no secret and no
 * request data, and the per-request storage cost (one KV read, no D1 query).
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { IsAuthenticated, authenticate, requirePermission } from '../src/lib';
import {
  NOT_PROVIDED,
  UNAVAILABLE,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  publicUser,
  uniqueName,
  unreachableD1,
  unreachableKV,
  type App,
  type Pair,
  type TestUser,
} from './helpers';
import { ACCESS_BLACKLISTED, expect401, familyOf, jtiOf, logout, refresh } from './helpers/jwt';
import {
  d1ThatCannotWrite,
  kvThatCannotWrite,
  methods,
  recording,
  type Recorded,
} from './helpers/storage';

const app = makeApp();

afterEach(() => {
  vi.restoreAllMocks();
});

async function expect503(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get('WWW-Authenticate')).toBeNull();
  expect(await res.json()).toEqual(UNAVAILABLE);
}

describe('storage that cannot be reached fails closed', () => {
  let user: TestUser;
  let pair: Pair;

  beforeAll(async () => {
    user = await makeUser(app);
    pair = await obtainPair(app, user);
  });

  function silenceErrors() {
    return vi.spyOn(console, 'error').mockImplementation(() => {});
  }

  function expectLogged(spy: ReturnType<typeof silenceErrors>, store: string, secrets: string[]) {
    expect(spy).toHaveBeenCalled();
    const lines = spy.mock.calls.map((args) => args.map(String).join(' '));
    expect(lines.some((line) => line.includes(`storage unavailable: ${store}`))).toBe(true);
    for (const line of lines) {
      for (const value of secrets) expect(line).not.toContain(value);
    }
  }

  /** The number of logins (refresh families) the test user has. */
  async function logins(): Promise<number> {
    const row = await env.DB.prepare('SELECT count(*) AS n FROM refresh_families WHERE user_id = ?')
      .bind(user.id)
      .first<{ n: number }>();
    return row!.n;
  }

  it('with KV down, a valid access token on /api/me/ is a 503, never 200 or anonymous', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { KV: unreachableKV() } });

    const res = await me(down, bearer(pair.access));

    expect(res.headers.get('Retry-After')).toBe('5');
    await expect503(res);
    expectLogged(errors, 'kv', [pair.access]);
  });

  it('with KV down, a Bearer token on a route anyone may use is a 503 too', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { KV: unreachableKV() } });
    const username = uniqueName('never');

    const res = await postJson(
      down,
      '/api/auth/register/',
      { username, email: `${username}@example.com`, password: 'a quite long passphrase 42' },
      bearer(pair.access),
    );

    await expect503(res);
    const row = await env.DB.prepare('SELECT count(*) AS n FROM users WHERE username = ?')
      .bind(username)
      .first<{ n: number }>();
    expect(row!.n).toBe(0);
    expectLogged(errors, 'kv', [pair.access]);
  });

  it.each([
    ['unreachable', unreachableD1],
    ['failing writes', d1ThatCannotWrite],
  ])('with D1 %s, POST /api/token/ is a 503 and no login exists', async (_case, database) => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { DB: database() } });
    const before = await logins();

    const res = await postJson(down, '/api/token/', {
      username: user.username,
      password: user.password,
    });

    await expect503(res);
    expect(await logins()).toBe(before);
    expectLogged(errors, 'd1', [user.password]);
  });

  it.each([
    ['unreachable', unreachableD1],
    ['failing writes', d1ThatCannotWrite],
  ])(
    'with D1 %s, POST /api/token/refresh/ is a 503, rotates nothing, and logs no request data',
    async (_case, database) => {
      const errors = silenceErrors();
      const down = makeApp({ bindings: { DB: database() } });
      const login = await obtainPair(app, user);

      await expect503(await refresh(down, login.refresh));

      const row = await env.DB.prepare('SELECT current_jti FROM refresh_families WHERE id = ?')
        .bind(familyOf(login.refresh))
        .first<{ current_jti: string }>();
      expect(row!.current_jti).toBe(jtiOf(login.refresh));
      // The log line carries neither the token nor what it names (jti, login id).
      expectLogged(errors, 'd1', [login.refresh, jtiOf(login.refresh), familyOf(login.refresh)]);
      expect((await refresh(app, login.refresh)).status).toBe(200);
    },
  );

  it.each([
    ['unreachable', unreachableKV],
    ['refusing writes', kvThatCannotWrite],
  ])('with KV %s, logout is a 503, never "logged out"', async (_case, namespace) => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { KV: namespace() } });
    const login = await obtainPair(app, user);

    await expect503(await logout(down, login.access));

    expectLogged(errors, 'kv', [login.access]);
    expect((await me(app, bearer(login.access))).status).toBe(200);
    // Retried once KV is back, the logout completes.
    expect((await logout(app, login.access)).status).toBe(200);
    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
  });
});

describe('the storage cost of JWT authentication', () => {
  let user: TestUser;
  let pair: Pair;

  beforeAll(async () => {
    user = await makeUser(app);
    pair = await obtainPair(app, user);
  });

  function probed(bindings: { DB?: D1Database; KV?: KVNamespace }): App {
    const probe = makeApp({ bindings });
    probe.all('/probe', authenticate(), requirePermission(IsAuthenticated), (c) =>
      c.json({ id: c.var.auth!.userId }),
    );
    return probe;
  }

  it('no D1 query to authenticate; /api/me/ makes exactly one, to load the user', async () => {
    const calls: Recorded[] = [];
    const counted = probed({ DB: recording(env.DB, calls) });
    const queries = () => calls.filter((c) => c.method === 'prepare' || c.method === 'batch');

    await expectJson(await call(counted, '/probe/', { headers: bearer(pair.access) }), 200, {
      id: user.id,
    });
    expect(queries()).toHaveLength(0);

    await expectJson(await me(counted, bearer(pair.access)), 200, publicUser(user));
    expect(queries()).toHaveLength(1);
  });

  it('exactly one KV read per authenticated request', async () => {
    const calls: Recorded[] = [];
    const counted = probed({ KV: recording(env.KV, calls) });

    expect((await call(counted, '/probe/', { headers: bearer(pair.access) })).status).toBe(200);
    expect(methods(calls)).toEqual(['get']);

    expect((await me(counted, bearer(pair.access))).status).toBe(200);
    expect(methods(calls)).toEqual(['get', 'get']);
  });

  it('a request without credentials reads neither D1 nor KV', async () => {
    const calls: Recorded[] = [];
    const counted = probed({ DB: recording(env.DB, calls), KV: recording(env.KV, calls) });

    await expect401(await call(counted, '/probe/'), NOT_PROVIDED);
    expect(calls).toEqual([]);
  });
});
