/**
 * DRF's TokenAuthentication and obtain_auth_token, as in the Token rows of
 * shared/drf-reference.md (JWT-first order: failures are 401 with the JWT
 * class's `Bearer realm="api"` challenge), plus edgeauth's token format,
 * hashing at rest, expiry, sliding expiry and throttled writes.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { crc32, generateToken, parseToken } from '../src/crypto/opaque-token';
import {
  PASSWORD,
  bearer,
  body,
  call,
  expectJson,
  importDrfKeys,
  makeApp,
  makeUser,
  markInactive,
  me,
  obtainPair,
  postJson,
  publicUser,
  tokenHeader,
  unreachableD1,
  type TestUser,
} from './helpers';

const app = makeApp();
const TOKEN_SHAPE = /^eat_[0-9A-Za-z]{16}_[0-9A-Za-z]{49}$/;

async function obtainToken(user: TestUser, target = app): Promise<string> {
  const res = await postJson(target, '/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

async function expect401(res: Response, detail: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
  expect(await res.json()).toEqual({ detail, code: 'authentication_failed' });
}

let alice: TestUser;

beforeAll(async () => {
  alice = await makeUser(app);
});

afterEach(() => {
  vi.useRealTimers();
});

describe('token format', () => {
  it('has a prefix, an id, a 32-byte secret and a checksum', () => {
    const { token, id } = generateToken('eat');
    expect(token).toMatch(TOKEN_SHAPE);
    expect(token.slice(4, 20)).toBe(id);
    expect(parseToken(token, 'eat')).toEqual({ kind: 'edgeauth', id });
  });

  it('rejects a typo through the checksum, without storage', () => {
    const { token } = generateToken('eat');
    const typo = token.slice(0, 30) + (token[30] === 'a' ? 'b' : 'a') + token.slice(31);
    expect(parseToken(typo, 'eat')).toBeUndefined();
    expect(parseToken(token, 'other')).toBeUndefined();
    expect(parseToken(`${token}x`, 'eat')).toBeUndefined();
  });

  it('recognises DRF keys', () => {
    expect(parseToken('0123456789abcdef0123456789abcdef01234567', 'eat')).toEqual({ kind: 'drf' });
    expect(parseToken('0123456789ABCDEF0123456789ABCDEF01234567', 'eat')).toBeUndefined();
  });

  it('computes the standard CRC-32', () => {
    expect(crc32('123456789')).toBe(0xcbf43926);
  });
});

describe('POST /api-token-auth/', () => {
  it('authtoken_obtain_ok: answers {"token"} that authenticates', async () => {
    const res = await postJson(app, '/api-token-auth/', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const { token } = (await res.json()) as { token: string };
    expect(token).toMatch(TOKEN_SHAPE);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    await expectJson(await me(app, tokenHeader(token)), 200, publicUser(alice));
  });

  it('authtoken_obtain_again_form: a new token on every call (deliberate difference 3)', async () => {
    const first = await obtainToken(alice);
    const res = await call(app, '/api-token-auth/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: alice.username, password: PASSWORD }),
    });
    const { token: second } = (await res.json()) as { token: string };
    expect(second).not.toBe(first);
    for (const token of [first, second]) {
      expect((await me(app, tokenHeader(token))).status).toBe(200);
    }
  });

  it('stores no plaintext token, only its SHA-256 digest', async () => {
    const token = await obtainToken(alice);
    const rows = await env.DB.prepare('SELECT * FROM api_tokens').all<Record<string, unknown>>();
    const dump = JSON.stringify(rows.results);
    expect(dump).not.toContain(token);
    expect(dump).not.toContain(token.slice(21, 64));
    const digest = [
      ...new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(token))),
    ]
      .map((byte) => byte.toString(16).padStart(2, '0'))
      .join('');
    expect(rows.results.some((row) => row.digest === digest)).toBe(true);
  });

  it.each([
    [
      'authtoken_obtain_wrong_password',
      async () => ({ username: alice.username, password: 'wrong' }),
    ],
    ['unknown user', async () => ({ username: 'nobody-here', password: PASSWORD })],
    [
      'authtoken_obtain_inactive_user',
      async () => {
        const user = await makeUser(app);
        await markInactive(user);
        return { username: user.username, password: PASSWORD };
      },
    ],
  ])('%s: 400 non_field_errors', async (_case, fields) => {
    const res = await postJson(app, '/api-token-auth/', await fields());
    await expectJson(res, 400, {
      non_field_errors: ['Unable to log in with provided credentials.'],
    });
  });

  it('authtoken_obtain_missing_fields', async () => {
    const res = await postJson(app, '/api-token-auth/', {});
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
  });

  it('refuses malformed JSON and GET', async () => {
    const malformed = await call(app, '/api-token-auth/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"username": ',
    });
    expect(await body(malformed)).toMatchObject({ code: 'parse_error' });
    expect((await call(app, '/api-token-auth/')).status).toBe(405);
  });

  it('keeps at most TOKEN_LIMIT_PER_USER tokens, retiring the least recently used', async () => {
    const limited = makeApp({ settings: { TOKEN_LIMIT_PER_USER: '2' } });
    const user = await makeUser(limited);
    const first = await obtainToken(user, limited);
    const second = await obtainToken(user, limited);
    const third = await obtainToken(user, limited);
    const status = async (token: string) => (await me(limited, tokenHeader(token))).status;
    expect([await status(first), await status(second), await status(third)]).toEqual([
      401, 200, 200,
    ]);
  });
});

describe('the per-user limit', () => {
  it('retires never-used tokens before one in use', async () => {
    const limited = makeApp({ settings: { TOKEN_LIMIT_PER_USER: '3' } });
    const user = await makeUser(limited);
    const inUse = await obtainToken(user, limited);
    expect((await me(limited, tokenHeader(inUse))).status).toBe(200);
    const fresh = [];
    for (let i = 0; i < 4; i++) fresh.push(await obtainToken(user, limited));
    const status = async (token: string) => (await me(limited, tokenHeader(token))).status;
    expect(await status(inUse)).toBe(200);
    expect(await Promise.all(fresh.map(status))).toEqual([401, 401, 200, 200]);
  });
});

describe('TokenAuthentication', () => {
  it('me_token_ok and me_token_lowercase_scheme', async () => {
    const token = await obtainToken(alice);
    expect((await me(app, tokenHeader(token))).status).toBe(200);
    expect((await me(app, tokenHeader(token, 'token'))).status).toBe(200);
  });

  it('echo_token_ok: unsafe requests need no CSRF', async () => {
    const token = await obtainToken(alice);
    const res = await call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...tokenHeader(token), 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: alice.email }),
    });
    expect(res.status).toBe(200);
  });

  it('me_token_key_as_bearer: a token sent as Bearer fails as a JWT', async () => {
    const token = await obtainToken(alice);
    const res = await me(app, bearer(token));
    expect(res.status).toBe(401);
    expect(await body(res)).toMatchObject({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
    });
  });

  it('me_token_wrong: 40 hex digits that are no key', async () => {
    const res = await me(app, tokenHeader('f'.repeat(40)));
    await expect401(res, 'Invalid token.');
  });

  it('answers a well-formed token that does not exist, and a wrong secret, as invalid', async () => {
    const token = await obtainToken(alice);
    const forged = generateToken('eat').token;
    const sameIdOtherSecret = generateToken('eat').token.replace(
      /^eat_[0-9A-Za-z]{16}/,
      token.slice(0, 20),
    );
    for (const candidate of [forged, sameIdOtherSecret, 'junk', token.toUpperCase()]) {
      await expect401(await me(app, tokenHeader(candidate)), 'Invalid token.');
    }
  });

  it('me_token_no_credentials and me_token_with_spaces', async () => {
    await expect401(
      await me(app, { Authorization: 'Token' }),
      'Invalid token header. No credentials provided.',
    );
    await expect401(
      await me(app, { Authorization: 'Token a b' }),
      'Invalid token header. Token string should not contain spaces.',
    );
  });

  it('me_token_inactive_user: an imported DRF key of an inactive user', async () => {
    const user = await makeUser(app);
    const key = '0000000000000000000000000000000000000b0b';
    await importDrfKeys([{ key, user: { id: user.id } }]);
    expect((await me(app, tokenHeader(key))).status).toBe(200);
    await markInactive(user);
    await expect401(await me(app, tokenHeader(key)), 'User inactive or deleted.');
  });

  it('me_jwt_access_with_token_scheme: a JWT sent as Token is an invalid token', async () => {
    const { access } = await obtainPair(app, alice);
    await expect401(await me(app, tokenHeader(access)), 'Invalid token.');
  });

  it('challenges with "Token" when TokenAuthentication is the first class', async () => {
    const tokenFirst = makeApp({
      settings: { DEFAULT_AUTHENTICATION_CLASSES: 'TokenAuthentication' },
    });
    const res = await me(tokenFirst, tokenHeader('junk'));
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Token');
  });

  it('honours TOKEN_AUTH_KEYWORD', async () => {
    const custom = makeApp({ settings: { TOKEN_AUTH_KEYWORD: 'ApiKey' } });
    const token = await obtainToken(alice, custom);
    expect((await me(custom, tokenHeader(token, 'apikey'))).status).toBe(200);
    expect((await me(custom, tokenHeader(token))).status).toBe(401);
  });

  it('dies when the user logs out everywhere (the revoked-before moment moves)', async () => {
    const user = await makeUser(app);
    const token = await obtainToken(user);
    const { access } = await obtainPair(app, user);
    expect((await postJson(app, '/api/token/logoutall/', {}, bearer(access))).status).toBe(200);
    await expect401(await me(app, tokenHeader(token)), 'Invalid token.');
  });

  it('fails closed with 503 when D1 is unreachable', async () => {
    const token = await obtainToken(alice);
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = makeApp({ bindings: { DB: unreachableD1() } });
    const res = await me(down, tokenHeader(token));
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'service_unavailable' });
    expect(log.mock.calls.flat().join('\n')).not.toContain(token);
    log.mockRestore();
  });

  it('refuses a malformed token before any storage call', async () => {
    const down = makeApp({ bindings: { DB: unreachableD1() } });
    const res = await me(down, tokenHeader('eat_not-a-real-token'));
    expect(res.status).toBe(401);
  });
});

describe('expiry', () => {
  it('answers an expired token as invalid', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-01-01T00:00:00Z'));
    const expiring = makeApp({ settings: { TOKEN_TTL: '1h' } });
    const token = await obtainToken(alice, expiring);
    vi.setSystemTime(new Date('2030-01-01T00:59:59Z'));
    expect((await me(expiring, tokenHeader(token))).status).toBe(200);
    vi.setSystemTime(new Date('2030-01-01T01:00:00Z'));
    await expect401(await me(expiring, tokenHeader(token)), 'Invalid token.');
  });

  it('slides with TOKEN_AUTO_REFRESH, never past TOKEN_AUTO_REFRESH_MAX_TTL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2031-01-01T00:00:00Z');
    vi.setSystemTime(start);
    const sliding = makeApp({
      settings: { TOKEN_TTL: '1h', TOKEN_AUTO_REFRESH: 'true', TOKEN_AUTO_REFRESH_MAX_TTL: '3h' },
    });
    const token = await obtainToken(alice, sliding);
    const use = async (minutes: number) => {
      vi.setSystemTime(start + minutes * 60_000);
      return (await me(sliding, tokenHeader(token))).status;
    };
    expect(await use(50)).toBe(200);
    expect(await use(100)).toBe(200);
    expect(await use(150)).toBe(200);
    expect(await use(179)).toBe(200);
    expect(await use(181)).toBe(401);
  });

  it('writes last_used at most once per TOKEN_MIN_REFRESH_INTERVAL', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const start = Date.parse('2032-01-01T00:00:00Z');
    vi.setSystemTime(start);
    const writes: string[] = [];
    const counting = new Proxy(env.DB, {
      get(target, property, receiver) {
        if (property === 'prepare') {
          return (query: string) => {
            if (/^update/i.test(query.trim())) writes.push(query);
            return target.prepare(query);
          };
        }
        const value = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const throttled = makeApp({ bindings: { DB: counting } });
    const token = await obtainToken(alice, throttled);
    for (const seconds of [0, 10, 30, 59]) {
      vi.setSystemTime(start + seconds * 1000);
      expect((await me(throttled, tokenHeader(token))).status).toBe(200);
    }
    expect(writes.filter((query) => query.includes('api_tokens'))).toHaveLength(1);
    vi.setSystemTime(start + 61_000);
    await me(throttled, tokenHeader(token));
    expect(writes.filter((query) => query.includes('api_tokens'))).toHaveLength(2);
    const listed = await call(app, '/api/tokens/', { headers: tokenHeader(token) });
    const entry = ((await listed.json()) as Array<{ current: boolean; last_used: string }>).find(
      (t) => t.current,
    );
    expect(entry!.last_used).toBe(new Date(start + 61_000).toISOString());
  });
});
