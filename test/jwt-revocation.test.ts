/**
 * Ending JWT credentials: logout of one login, logout everywhere, the
 * revocation services, the KV revocation list and its TTL floor (STYLE.md
 * conventions 7 and 8), failing closed when storage is down (shared/API.md,
 * deliberate difference 10), and the per-request storage cost of JWT
 * authentication (one KV read, no D1 query).
 */
import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import { IsAuthenticated, authenticate, requirePermission } from '../src/lib';
import { createServices, deactivateUser, revokeAllCredentials } from '../src/lib';
import { cloudflareStores } from '../src/storage/cloudflare';
import { KV_MIN_EXPIRATION_TTL_SECONDS, kvTtl } from '../src/storage/kv/keys';
import { kvRevocationList } from '../src/storage/kv/revocation-list';
import {
  BEARER,
  bearer,
  call,
  decodeParts,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  testVars,
  uniqueName,
  unreachableD1,
  unreachableKV,
  type App,
  type Pair,
  type TestUser,
} from './helpers';

const secret = new TextEncoder().encode(env.SECRET_KEY);

const app = makeApp();

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

function freezeAt(at: number) {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(at);
}

const accessBlacklisted = {
  detail: 'Given token not valid for any token type',
  code: 'token_not_valid',
  messages: [{ token_class: 'AccessToken', token_type: 'access', message: 'Token is blacklisted' }],
};
const refreshBlacklisted = { detail: 'Token is blacklisted', code: 'token_not_valid' };
const verifyBlacklisted = { non_field_errors: ['Token is blacklisted'] };
const unavailable = {
  detail: 'The authentication service is temporarily unavailable. Try again later.',
  code: 'service_unavailable',
};

async function expect401(res: Response, expected: unknown) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  expect(await res.json()).toEqual(expected);
}

async function expect503(res: Response) {
  expect(res.status).toBe(503);
  expect(res.headers.get('WWW-Authenticate')).toBeNull();
  expect(await res.json()).toEqual(unavailable);
}

function me(target: App, access: string): Promise<Response> {
  return call(target, '/api/me/', { headers: bearer(access) });
}

function logout(target: App, access: string): Promise<Response> {
  return call(target, '/api/token/logout/', { method: 'POST', headers: bearer(access) });
}

function verify(target: App, token: string): Promise<Response> {
  return postJson(target, '/api/token/verify/', { token });
}

function refresh(target: App, token: string): Promise<Response> {
  return postJson(target, '/api/token/refresh/', { refresh: token });
}

async function expectUsable(target: App, pair: Pair, user: TestUser) {
  const res = await me(target, pair.access);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({ id: user.id, username: user.username, email: user.email });
  expect((await verify(target, pair.access)).status).toBe(200);
  expect((await verify(target, pair.refresh)).status).toBe(200);
  expect((await refresh(target, pair.refresh)).status).toBe(200);
}

function familyOf(token: string): string {
  return decodeParts(token).claims.fam as string;
}

function jtiOf(token: string): string {
  return decodeParts(token).claims.jti as string;
}

async function familyRow(id: string) {
  return env.DB.prepare('SELECT revoked_at, revoked_reason FROM refresh_families WHERE id = ?')
    .bind(id)
    .first<{ revoked_at: number | null; revoked_reason: string | null }>();
}

async function userRow(id: number) {
  return env.DB.prepare('SELECT is_active, credentials_changed_at FROM users WHERE id = ?')
    .bind(id)
    .first<{ is_active: number; credentials_changed_at: number | null }>();
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

/** An access token minted elsewhere with the shared key (no `fam`), expiring in `lifetime` s. */
async function mintAccess(userId: number, lifetime: number) {
  const iat = Math.floor(Date.now() / 1000);
  const jti = crypto.randomUUID().replace(/-/g, '');
  const token = await new SignJWT({
    token_type: 'access',
    exp: iat + lifetime,
    iat,
    jti,
    user_id: userId,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(secret);
  return { token, jti };
}

/** A refresh token as simplejwt mints it with the shared key: no `kid`, no `fam`. */
async function mintRefresh(userId: number): Promise<string> {
  const iat = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_type: 'refresh',
    exp: iat + 86_400,
    iat,
    jti: crypto.randomUUID().replace(/-/g, ''),
    user_id: userId,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(secret);
}

/** The services over the test's real stores (KV possibly recorded), as admin code builds them. */
function services(settings: Record<string, unknown> = {}, kv = env.KV) {
  return createServices(parseConfig(testVars(settings)), cloudflareStores({ ...env, KV: kv }));
}

interface Recorded {
  method: string;
  args: unknown[];
}

/**
 * A spy over a real binding: every call is recorded and then forwarded to
 * the binding itself, so storage still happens.
 */
function recording<T extends object>(target: T, calls: Recorded[]): T {
  return new Proxy(target, {
    get(object, property) {
      const value: unknown = Reflect.get(object, property, object);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        calls.push({ method: String(property), args });
        return (value as (...a: unknown[]) => unknown).apply(object, args);
      };
    },
  });
}

/** The real KV, except that writes fail as an unreachable namespace's do. */
function kvThatCannotWrite(): KVNamespace {
  return new Proxy(env.KV, {
    get(object, property) {
      if (property === 'put' || property === 'delete') {
        return async () => {
          throw new Error('KV PUT failed: 503 Service Unavailable');
        };
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

/** The real D1, except that every statement that writes fails when it runs. */
function d1ThatCannotWrite(): D1Database {
  const failing = (): D1PreparedStatement =>
    new Proxy({} as D1PreparedStatement, {
      get(_object, property) {
        if (property === 'bind') return () => failing();
        return async () => {
          throw new Error('D1_ERROR: Network connection lost.');
        };
      },
    });
  return new Proxy(env.DB, {
    get(object, property) {
      if (property === 'prepare') {
        return (query: string) => (/^\s*select\b/i.test(query) ? object.prepare(query) : failing());
      }
      const value: unknown = Reflect.get(object, property, object);
      return typeof value === 'function' ? value.bind(object) : value;
    },
  });
}

describe('POST /api/token/logout/', () => {
  it('ends the login the access token belongs to, and only that login', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    const sibling = (await (await refresh(app, login.refresh)).json()) as Pair;
    const other = await obtainPair(app, user);

    const res = await logout(app, login.access);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ detail: 'Successfully logged out.' });

    await expect401(await me(app, login.access), accessBlacklisted);
    await expect401(await me(app, sibling.access), accessBlacklisted);
    await expect401(await refresh(app, sibling.refresh), refreshBlacklisted);
    expect(await familyRow(familyOf(login.refresh))).toMatchObject({ revoked_reason: 'logout' });
    await expectUsable(app, other, user);
  });

  it('without credentials answers 401 not_authenticated with the Bearer challenge', async () => {
    await expect401(await call(app, '/api/token/logout/', { method: 'POST' }), {
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('makes POST /api/token/verify/ answer 400 "Token is blacklisted" for the access token', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    expect((await logout(app, login.access)).status).toBe(200);

    for (const token of [login.access, login.refresh]) {
      const res = await verify(app, token);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(verifyBlacklisted);
    }
  });
});

describe('POST /api/token/logoutall/', () => {
  it('refuses every token the user held before, everywhere', async () => {
    const user = await makeUser(app);
    const first = await obtainPair(app, user);
    const second = await obtainPair(app, user);
    const rotated = (await (await refresh(app, second.refresh)).json()) as Pair;

    const res = await call(app, '/api/token/logoutall/', {
      method: 'POST',
      headers: bearer(first.access),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ detail: 'Successfully logged out everywhere.' });

    for (const pair of [first, second, rotated]) {
      await expect401(await me(app, pair.access), accessBlacklisted);
      await expect401(await refresh(app, pair.refresh), refreshBlacklisted);
      for (const token of [pair.access, pair.refresh]) {
        const verified = await verify(app, token);
        expect(verified.status).toBe(400);
        expect(await verified.json()).toEqual(verifyBlacklisted);
      }
    }
    for (const pair of [first, second]) {
      expect(await familyRow(familyOf(pair.refresh))).toMatchObject({
        revoked_reason: 'logoutall',
      });
    }
  });

  it('leaves other users logged in', async () => {
    const user = await makeUser(app);
    const bystander = await makeUser(app);
    const theirs = await obtainPair(app, bystander);
    const mine = await obtainPair(app, user);

    const res = await call(app, '/api/token/logoutall/', {
      method: 'POST',
      headers: bearer(mine.access),
    });
    expect(res.status).toBe(200);
    await expectUsable(app, theirs, bystander);
  });

  it('lets a login made right after it, in the same second, use /api/me/ and refresh/', async () => {
    const user = await makeUser(app);
    const second = Math.floor(Date.now() / 1000) * 1000;
    freezeAt(second + 100);
    const before = await obtainPair(app, user);
    vi.setSystemTime(second + 400);
    const res = await call(app, '/api/token/logoutall/', {
      method: 'POST',
      headers: bearer(before.access),
    });
    expect(res.status).toBe(200);

    vi.setSystemTime(second + 700);
    const after = await obtainPair(app, user);
    expect(decodeParts(after.access).claims.iat).toBe(decodeParts(before.access).claims.iat);
    await expect401(await me(app, before.access), accessBlacklisted);
    expect((await me(app, after.access)).status).toBe(200);
    expect((await refresh(app, after.refresh)).status).toBe(200);
  });

  it('lets POST /api/token/verify/ accept a login made right after it, in the same second', async () => {
    const user = await makeUser(app);
    const second = Math.floor(Date.now() / 1000) * 1000;
    freezeAt(second + 100);
    const before = await obtainPair(app, user);
    vi.setSystemTime(second + 400);
    await call(app, '/api/token/logoutall/', { method: 'POST', headers: bearer(before.access) });

    vi.setSystemTime(second + 700);
    const after = await obtainPair(app, user);
    for (const token of [after.access, after.refresh]) {
      const res = await verify(app, token);
      expect(await res.json()).toEqual({});
      expect(res.status).toBe(200);
    }
  });

  it('keeps verify/ refusing a simplejwt refresh token from before it once user:<id> has expired', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0 - 5_000);
    const minted = await mintRefresh(user.id);
    const login = await obtainPair(app, user);
    vi.setSystemTime(t0);
    const res = await call(app, '/api/token/logoutall/', {
      method: 'POST',
      headers: bearer(login.access),
    });
    expect(res.status).toBe(200);
    // The marker lives ACCESS_TOKEN_LIFETIME (300 s); its expiry is simulated by removing it.
    await env.KV.delete(`user:${user.id}`);
    vi.setSystemTime(t0 + 400_000);

    await expect401(await refresh(app, minted), refreshBlacklisted);
    const verified = await verify(app, minted);
    expect(await verified.json()).toEqual(verifyBlacklisted);
    expect(verified.status).toBe(400);
  });
});

describe('the revocation services with the real stores', () => {
  it('revokeAllCredentials moves credentials_changed_at, writes user:<id>, revokes every login', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    const t0 = Date.now() + 1_000;
    freezeAt(t0);

    const at = await revokeAllCredentials(services(), user.id);

    expect(at).toBe(t0);
    expect(await userRow(user.id)).toEqual({ is_active: 1, credentials_changed_at: t0 });
    expect(JSON.parse((await env.KV.get(`user:${user.id}`))!)).toEqual({ revokedBefore: t0 });
    expect(await familyRow(familyOf(login.refresh))).toEqual({
      revoked_at: t0,
      revoked_reason: 'logoutall',
    });
    await expect401(await me(app, login.access), accessBlacklisted);
    await expect401(await refresh(app, login.refresh), refreshBlacklisted);
  });

  it('deactivateUser makes the account inactive and revokes everything it holds', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    const t0 = Date.now() + 1_000;
    freezeAt(t0);

    await deactivateUser(services(), user.id);

    expect(await userRow(user.id)).toEqual({ is_active: 0, credentials_changed_at: t0 });
    expect(await env.KV.get(`user:${user.id}`)).not.toBeNull();
    expect(await familyRow(familyOf(login.refresh))).toEqual({
      revoked_at: t0,
      revoked_reason: 'deactivated',
    });
    await expect401(await me(app, login.access), accessBlacklisted);
  });
});

describe('KV TTLs of revocation entries', () => {
  it('kvTtl() rounds up to whole seconds and never goes below the 60 s floor', () => {
    expect(KV_MIN_EXPIRATION_TTL_SECONDS).toBe(60);
    expect([-30, 0, 5, 59.9, 60, 60.001, 299.2, 300].map(kvTtl)).toEqual([
      60, 60, 60, 60, 60, 61, 300, 300,
    ]);
  });

  it('revoking a token that expires in 5 s writes expirationTtl 60, and stores it', async () => {
    const calls: Recorded[] = [];
    const list = kvRevocationList(recording(env.KV, calls));
    const now = Date.now();
    const jti = crypto.randomUUID().replace(/-/g, '');

    await list.revokeToken(jti, Math.floor(now / 1000) + 5, now);

    const key = `jti:${await sha256Hex(jti)}`;
    expect(calls).toEqual([{ method: 'put', args: [key, '1', { expirationTtl: 60 }] }]);
    expect(await env.KV.get(key)).toBe('1');
    expect((await list.check({ jti, userId: 1 })).tokenRevoked).toBe(true);
  });

  it('logout of an access token expiring in 5 s writes its KV entry with the 60 s floor', async () => {
    const calls: Recorded[] = [];
    const spied = makeApp({ bindings: { KV: recording(env.KV, calls) } });
    const user = await makeUser(app);
    const { token, jti } = await mintAccess(user.id, 5);

    expect((await logout(spied, token)).status).toBe(200);

    const key = `jti:${await sha256Hex(jti)}`;
    expect(calls.filter((c) => c.method === 'put')).toEqual([
      { method: 'put', args: [key, '1', { expirationTtl: 60 }] },
    ]);
    expect(await env.KV.get(key)).toBe('1');
    await expect401(await me(app, token), accessBlacklisted);
  });

  it('logout of an access token with 300 s left writes ~300 s for it and its login', async () => {
    const calls: Recorded[] = [];
    const spied = makeApp({ bindings: { KV: recording(env.KV, calls) } });
    const user = await makeUser(app);
    const t0 = Math.floor(Date.now() / 1000) * 1000 + 250;
    freezeAt(t0);
    const login = await obtainPair(app, user);
    vi.setSystemTime(t0 + 2_000);

    expect((await logout(spied, login.access)).status).toBe(200);

    const familyKey = `fam:${await sha256Hex(familyOf(login.access))}`;
    const tokenKey = `jti:${await sha256Hex(jtiOf(login.access))}`;
    expect(calls.filter((c) => c.method === 'put')).toEqual([
      { method: 'put', args: [familyKey, '1', { expirationTtl: 300 }] },
      // exp is 300 s after t0; 2.25 s of it have passed at logout.
      { method: 'put', args: [tokenKey, '1', { expirationTtl: 298 }] },
    ]);
    expect(await env.KV.get(familyKey)).toBe('1');
    expect(await env.KV.get(tokenKey)).toBe('1');
  });

  it('the revoked-before marker lives as long as the longest credential checked against it, floored at 60 s', async () => {
    const user = await makeUser(app);
    for (const [settings, ttl] of [
      [{ ACCESS_TOKEN_LIFETIME: '300', SESSION_COOKIE_AGE: '120' }, 300],
      [{ ACCESS_TOKEN_LIFETIME: '300', SESSION_COOKIE_AGE: '1d' }, 86_400],
      [{ ACCESS_TOKEN_LIFETIME: '10', SESSION_COOKIE_AGE: '60' }, 60],
    ] as const) {
      const calls: Recorded[] = [];
      const at = await revokeAllCredentials(services(settings, recording(env.KV, calls)), user.id);
      expect(calls.filter((call) => call.method === 'put')).toEqual([
        {
          method: 'put',
          args: [`user:${user.id}`, JSON.stringify({ revokedBefore: at }), { expirationTtl: ttl }],
        },
      ]);
    }
  });
});

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

  it('with KV down, a valid access token on /api/me/ is a 503, never 200 or anonymous', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { KV: unreachableKV() } });

    const res = await me(down, pair.access);

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

  it('with D1 down, POST /api/token/ is a 503 and issues nothing', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { DB: unreachableD1() } });
    const families = () =>
      env.DB.prepare('SELECT count(*) AS n FROM refresh_families WHERE user_id = ?')
        .bind(user.id)
        .first<{ n: number }>();
    const before = (await families())!.n;

    const res = await postJson(down, '/api/token/', {
      username: user.username,
      password: user.password,
    });

    await expect503(res);
    expect((await families())!.n).toBe(before);
    expectLogged(errors, 'd1', [user.password]);
  });

  it('with D1 down, POST /api/token/refresh/ is a 503 and issues nothing', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { DB: unreachableD1() } });
    const login = await obtainPair(app, user);

    const res = await refresh(down, login.refresh);

    await expect503(res);
    const row = await env.DB.prepare('SELECT current_jti FROM refresh_families WHERE id = ?')
      .bind(familyOf(login.refresh))
      .first<{ current_jti: string }>();
    expect(row!.current_jti).toBe(jtiOf(login.refresh));
    expectLogged(errors, 'd1', [login.refresh]);
  });

  it('with D1 failing writes, POST /api/token/ is a 503 and no login exists', async () => {
    const errors = silenceErrors();
    const readOnly = makeApp({ bindings: { DB: d1ThatCannotWrite() } });
    const families = () =>
      env.DB.prepare('SELECT count(*) AS n FROM refresh_families WHERE user_id = ?')
        .bind(user.id)
        .first<{ n: number }>();
    const before = (await families())!.n;

    const res = await postJson(readOnly, '/api/token/', {
      username: user.username,
      password: user.password,
    });

    await expect503(res);
    expect((await families())!.n).toBe(before);
    expectLogged(errors, 'd1', [user.password]);
  });

  it('with D1 failing writes, POST /api/token/refresh/ is a 503 and rotates nothing', async () => {
    const errors = silenceErrors();
    const readOnly = makeApp({ bindings: { DB: d1ThatCannotWrite() } });
    const login = await obtainPair(app, user);

    await expect503(await refresh(readOnly, login.refresh));

    const next = await refresh(app, login.refresh);
    expect(next.status).toBe(200);
    expectLogged(errors, 'd1', [login.refresh]);
  });

  it('the log line of a failed D1 write carries no request data (jti, login id)', async () => {
    const errors = silenceErrors();
    const readOnly = makeApp({ bindings: { DB: d1ThatCannotWrite() } });
    const login = await obtainPair(app, user);

    await expect503(await refresh(readOnly, login.refresh));

    expectLogged(errors, 'd1', [jtiOf(login.refresh), familyOf(login.refresh)]);
  });

  it('with KV down, logout is a 503, never "logged out"', async () => {
    const errors = silenceErrors();
    const down = makeApp({ bindings: { KV: unreachableKV() } });
    const login = await obtainPair(app, user);

    await expect503(await logout(down, login.access));

    expect((await me(app, login.access)).status).toBe(200);
    expectLogged(errors, 'kv', [login.access]);
  });

  it('with KV refusing writes, logout is a 503, never "logged out"', async () => {
    const errors = silenceErrors();
    const readOnly = makeApp({ bindings: { KV: kvThatCannotWrite() } });
    const login = await obtainPair(app, user);

    await expect503(await logout(readOnly, login.access));

    expectLogged(errors, 'kv', [login.access]);
    // Retried once KV is back, the logout completes.
    const retry = await logout(app, login.access);
    expect(retry.status).toBe(200);
    await expect401(await me(app, login.access), accessBlacklisted);
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

    const probe = await call(counted, '/probe/', { headers: bearer(pair.access) });
    expect(probe.status).toBe(200);
    expect(await probe.json()).toEqual({ id: user.id });
    expect(queries()).toHaveLength(0);

    const res = await me(counted, pair.access);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: user.id, username: user.username, email: user.email });
    expect(queries()).toHaveLength(1);
  });

  it('exactly one KV read per authenticated request', async () => {
    const calls: Recorded[] = [];
    const counted = probed({ KV: recording(env.KV, calls) });

    expect((await call(counted, '/probe/', { headers: bearer(pair.access) })).status).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(['get']);

    expect((await me(counted, pair.access)).status).toBe(200);
    expect(calls.map((c) => c.method)).toEqual(['get', 'get']);
  });

  it('a request without credentials reads neither D1 nor KV', async () => {
    const calls: Recorded[] = [];
    const counted = probed({ DB: recording(env.DB, calls), KV: recording(env.KV, calls) });

    await expect401(await call(counted, '/probe/'), {
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
    expect(calls).toEqual([]);
  });
});
