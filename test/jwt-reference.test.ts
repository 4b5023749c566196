/**
 * Every simplejwt case of shared/drf-reference.md, in its "JWT first"
 * variant (authentication classes JWT, Token, Session), against edgeauth.
 * Deliberate differences from the reference (shared/API.md) are named where
 * a case meets one.
 */
import { env } from 'cloudflare:test';
import { SignJWT } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { readData } from '../src/http/body';
import { AllowAny, IsAuthenticated, authenticate, requirePermission } from '../src/lib';
import {
  NOT_PROVIDED,
  PASSWORD,
  bearer,
  body,
  call,
  decodeParts,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  obtainPair,
  postJson,
  publicUser,
  type Pair,
  type TestUser,
} from './helpers';
import { accessError, expect401 } from './helpers/jwt';

const app = makeApp();
app.all('/api/public', authenticate(), requirePermission(AllowAny), (c) =>
  c.json({ public: true, authenticated: c.var.auth !== null }),
);
app.all('/api/echo', authenticate(), requirePermission(IsAuthenticated), async (c) => {
  if (c.req.method !== 'POST') {
    return c.json(
      { detail: `Method "${c.req.method}" not allowed.`, code: 'method_not_allowed' },
      405,
    );
  }
  return c.json(await readData(c));
});

const secret = new TextEncoder().encode(env.SECRET_KEY);

/** A token signed with the shared HS256 key by "another client" (no `kid`, no `fam`). */
async function mint(claims: Record<string, unknown>, header: Record<string, unknown> = {}) {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    token_type: 'access',
    exp: now + 300,
    iat: now,
    jti: crypto.randomUUID().replace(/-/g, ''),
    ...claims,
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT', ...header })
    .sign(secret);
}

/** A JSON value as one base64url segment of a compact JWT. */
function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

let alice: TestUser;
let inactive: TestUser;
let pair: Pair;

beforeAll(async () => {
  alice = await makeUser(app);
  inactive = await makeUser(app);
  await markInactive(inactive);
  pair = await obtainPair(app, alice);
});

describe('POST /api/token/', () => {
  it('jwt_obtain_ok: answers {refresh, access} in that order, with simplejwt claims', async () => {
    const res = await postJson(app, '/api/token/', {
      username: alice.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['refresh', 'access']);
    const { refresh, access } = JSON.parse(text) as Pair;
    for (const [token, type, lifetime] of [
      [access, 'access', 300],
      [refresh, 'refresh', 86400],
    ] as const) {
      const { header, claims } = decodeParts(token);
      expect(header).toMatchObject({ alg: 'HS256', typ: 'JWT' });
      expect(header.kid).toEqual(expect.any(String));
      expect(Object.keys(claims).slice(0, 5)).toEqual([
        'token_type',
        'exp',
        'iat',
        'jti',
        'user_id',
      ]);
      expect(claims.token_type).toBe(type);
      expect(claims.user_id).toBe(alice.id);
      expect(claims.jti).toMatch(/^[0-9a-f]{32}$/);
      expect(claims.exp).toBe((claims.iat as number) + lifetime);
      expect(token.split('.')[2]).toHaveLength(43);
    }
    expect(res.headers.get('Cache-Control')).toBe('no-store');
  });

  it.each([
    ['jwt_obtain_wrong_password', () => ({ username: alice.username, password: 'wrong' })],
    ['jwt_obtain_unknown_user', () => ({ username: 'nobody-at-all', password: 'x' })],
    ['jwt_obtain_inactive_user', () => ({ username: inactive.username, password: PASSWORD })],
  ])('%s: 401, the same answer for every reason', async (_step, fields) => {
    await expect401(await postJson(app, '/api/token/', fields()), {
      detail: 'No active account found with the given credentials',
      code: 'no_active_account',
    });
  });

  it('jwt_obtain_missing_fields', async () => {
    const res = await postJson(app, '/api/token/', {});
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      username: ['This field is required.'],
      password: ['This field is required.'],
    });
  });

  it('jwt_obtain_blank_fields', async () => {
    const res = await postJson(app, '/api/token/', { username: '', password: '' });
    expect(await res.json()).toEqual({
      username: ['This field may not be blank.'],
      password: ['This field may not be blank.'],
    });
  });

  it('jwt_obtain_form_encoded, and the access token from it works', async () => {
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ username: alice.username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
    const { access } = (await res.json()) as Pair;
    expect((await me(app, bearer(access))).status).toBe(200);
  });

  it('jwt_obtain_malformed_json', async () => {
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(res.status).toBe(400);
    expect(await body(res)).toMatchObject({ code: 'parse_error' });
  });

  it('jwt_obtain_get_not_allowed', async () => {
    const res = await call(app, '/api/token/');
    expect(res.status).toBe(405);
    expect(await res.json()).toEqual({
      detail: 'Method "GET" not allowed.',
      code: 'method_not_allowed',
    });
  });

  it('jwt_obtain_no_trailing_slash: served, not redirected (deliberate difference)', async () => {
    const res = await postJson(app, '/api/token', { username: alice.username, password: PASSWORD });
    expect(res.status).toBe(200);
  });

  it('records last_login', async () => {
    const row = await env.DB.prepare('SELECT last_login FROM users WHERE id = ?')
      .bind(alice.id)
      .first<{ last_login: number }>();
    expect(row!.last_login).toBeGreaterThan(Date.now() - 60_000);
  });
});

describe('GET /api/me/ and /api/public/ with JWT (JWT first: 401 + Bearer)', () => {
  it('public_anonymous', async () => {
    expect(await (await call(app, '/api/public/')).json()).toEqual({
      public: true,
      authenticated: false,
    });
  });

  it.each([
    ['me_no_credentials', {}],
    ['me_basic_scheme', { Authorization: 'Basic YWxpY2U6cGFzc3dvcmQ=' }],
    ['me_empty_authorization', { Authorization: '' }],
  ])('%s: 401 not_authenticated', async (_case, headers: Record<string, string>) => {
    await expect401(await me(app, headers), NOT_PROVIDED);
  });

  it.each([
    ['me_bearer_no_token', 'Bearer'],
    ['me_bearer_three_parts', 'Bearer a b'],
  ])('%s: 401 bad_authorization_header', async (_case, header) => {
    await expect401(await me(app, { Authorization: header }), {
      detail: 'Authorization header must contain two space-delimited values',
      code: 'bad_authorization_header',
    });
  });

  it('me_jwt_access_ok', async () => {
    await expectJson(await me(app, bearer(pair.access)), 200, publicUser(alice));
  });

  it('me_jwt_bearer_lowercase_scheme: accepted (deliberate difference: RFC 7235)', async () => {
    expect((await me(app, { Authorization: `bearer ${pair.access}` })).status).toBe(200);
  });

  it('me_jwt_minted_valid: a token signed elsewhere with the shared key', async () => {
    const res = await me(app, bearer(await mint({ user_id: alice.id })));
    expect(res.status).toBe(200);
  });

  const INVALID = accessError('Token is invalid or expired');

  it.each<[string, () => Promise<string> | string, unknown]>([
    [
      'me_jwt_altered_signature',
      () => {
        const [h, p, s] = pair.access.split('.');
        return `${h}.${p}.${s!.slice(0, 10)}${s![10] === 'A' ? 'B' : 'A'}${s!.slice(11)}`;
      },
      INVALID,
    ],
    [
      'me_jwt_tampered_payload',
      () => {
        const [h, , s] = pair.access.split('.');
        const claims = { ...decodeParts(pair.access).claims, user_id: inactive.id };
        return `${h}.${base64url(claims)}.${s}`;
      },
      INVALID,
    ],
    ['me_jwt_garbage', () => 'not-a-jwt', INVALID],
    ['me_jwt_refresh_as_access', () => pair.refresh, accessError('Token has wrong type')],
    [
      'me_jwt_expired',
      () => {
        const past = Math.floor(Date.now() / 1000) - 600;
        return mint({ user_id: alice.id, iat: past, exp: past + 300 });
      },
      INVALID,
    ],
    [
      'me_jwt_unknown_user',
      () => mint({ user_id: 987654 }),
      { detail: 'User not found', code: 'user_not_found' },
    ],
    [
      'me_jwt_inactive_user',
      () => mint({ user_id: inactive.id }),
      { detail: 'User is inactive', code: 'user_inactive' },
    ],
    [
      'me_jwt_no_user_claim',
      () => mint({}),
      { detail: 'Token contained no recognizable user identification', code: 'token_not_valid' },
    ],
    [
      'me_jwt_alg_none (empty signature)',
      () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(decodeParts(pair.access).claims)}.`,
      INVALID,
    ],
    [
      'me_jwt_alg_none (with a signature)',
      () =>
        `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(decodeParts(pair.access).claims)}.c2ln`,
      INVALID,
    ],
  ])('%s: 401 with simplejwt’s answer', async (_case, token, expected) => {
    await expect401(await me(app, bearer(await token())), expected);
  });

  it('public_garbage_bearer: a garbage Bearer fails even where anyone may read (authentication is eager)', async () => {
    await expect401(
      await call(app, '/api/public/', { headers: bearer('not-a-jwt') }),
      accessError('Token is invalid or expired'),
    );
  });

  it('echo_jwt_ok, echo_jwt_malformed_json, echo_no_credentials, me_options_anonymous', async () => {
    const message = { msg: 'hello', n: 1, nested: { list: [1, 2, 3], ok: true } };
    const ok = await postJson(app, '/api/echo/', message, bearer(pair.access));
    expect(await ok.json()).toEqual(message);
    const malformed = await call(app, '/api/echo/', {
      method: 'POST',
      headers: { ...bearer(pair.access), 'Content-Type': 'application/json' },
      body: '{',
    });
    expect(malformed.status).toBe(400);
    expect((await postJson(app, '/api/echo/', message)).status).toBe(401);
    expect((await call(app, '/api/me/', { method: 'OPTIONS' })).status).toBe(401);
  });

  it('echo_jwt_get_not_allowed', async () => {
    expect((await call(app, '/api/echo/', { headers: bearer(pair.access) })).status).toBe(405);
  });
});

describe('POST /api/token/refresh/, /verify/, /blacklist/', () => {
  it('walks the reference sequence: refresh, reuse, verify, blacklist', async () => {
    const first = await obtainPair(app, alice);

    // jwt_refresh_ok: {access, refresh} in that order, a new refresh token
    const refreshed = await postJson(app, '/api/token/refresh/', { refresh: first.refresh });
    expect(refreshed.status).toBe(200);
    const text = await refreshed.text();
    expect(Object.keys(JSON.parse(text))).toEqual(['access', 'refresh']);
    const rotated = JSON.parse(text) as Pair;
    const oldClaims = decodeParts(first.refresh).claims;
    const newClaims = decodeParts(rotated.refresh).claims;
    expect(rotated.refresh).not.toBe(first.refresh);
    expect(newClaims.jti).not.toBe(oldClaims.jti);
    // Deliberate difference 6: the new access token's iat is now, not the refresh token's.
    expect(decodeParts(rotated.access).claims.iat).toBeGreaterThanOrEqual(oldClaims.iat as number);

    // me_jwt_refreshed_access_ok
    expect((await me(app, bearer(rotated.access))).status).toBe(200);

    // jwt_verify_access_ok, jwt_verify_refresh_ok
    for (const token of [rotated.access, rotated.refresh]) {
      const res = await postJson(app, '/api/token/verify/', { token });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({});
    }

    // jwt_blacklist_ok
    const blacklisted = await postJson(app, '/api/token/blacklist/', { refresh: rotated.refresh });
    expect(blacklisted.status).toBe(200);
    expect(await blacklisted.json()).toEqual({});

    // me_jwt_access_after_refresh_blacklisted: access tokens live on, as in simplejwt
    expect((await me(app, bearer(first.access))).status).toBe(200);

    // jwt_refresh_after_blacklist, jwt_blacklist_again
    const blacklistedBody = { detail: 'Token is blacklisted', code: 'token_not_valid' };
    await expect401(
      await postJson(app, '/api/token/refresh/', { refresh: rotated.refresh }),
      blacklistedBody,
    );
    await expect401(
      await postJson(app, '/api/token/blacklist/', { refresh: rotated.refresh }),
      blacklistedBody,
    );
  });

  it('jwt_refresh_reuse_rotated and jwt_verify_blacklisted_refresh', async () => {
    const first = await obtainPair(app, alice);
    expect((await postJson(app, '/api/token/refresh/', { refresh: first.refresh })).status).toBe(
      200,
    );
    const grace = makeApp({ settings: { REFRESH_TOKEN_REUSE_GRACE: '0' } });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await expect401(await postJson(grace, '/api/token/refresh/', { refresh: first.refresh }), {
      detail: 'Token is blacklisted',
      code: 'token_not_valid',
    });
    const verify = await postJson(grace, '/api/token/verify/', { token: first.refresh });
    expect(verify.status).toBe(400);
    expect(await verify.json()).toEqual({ non_field_errors: ['Token is blacklisted'] });
  });

  it.each([
    [
      'jwt_refresh_with_access_token',
      '/api/token/refresh/',
      'refresh',
      'access',
      'Token has wrong type',
    ],
    [
      'jwt_refresh_garbage',
      '/api/token/refresh/',
      'refresh',
      'garbage',
      'Token is invalid or expired',
    ],
    [
      'jwt_verify_altered_signature',
      '/api/token/verify/',
      'token',
      'altered',
      'Token is invalid or expired',
    ],
    ['jwt_verify_garbage', '/api/token/verify/', 'token', 'garbage', 'Token is invalid or expired'],
    ['jwt_verify_expired', '/api/token/verify/', 'token', 'expired', 'Token is invalid or expired'],
    [
      'jwt_blacklist_with_access_token',
      '/api/token/blacklist/',
      'refresh',
      'access',
      'Token has wrong type',
    ],
  ])('%s', async (_step, path, field, kind, detail) => {
    const past = Math.floor(Date.now() / 1000) - 600;
    const tokens: Record<string, string> = {
      access: pair.access,
      garbage: 'not-a-jwt',
      altered: `${pair.access.slice(0, -2)}${pair.access.endsWith('AA') ? 'BB' : 'AA'}`,
      expired: await mint({ user_id: alice.id, iat: past, exp: past + 300 }),
    };
    await expect401(await postJson(app, path, { [field]: tokens[kind] }), {
      detail,
      code: 'token_not_valid',
    });
  });

  it.each([
    ['jwt_refresh_missing_field', '/api/token/refresh/', 'refresh'],
    ['jwt_verify_missing_field', '/api/token/verify/', 'token'],
    ['jwt_blacklist_missing_field', '/api/token/blacklist/', 'refresh'],
  ])('%s', async (_step, path, field) => {
    const res = await postJson(app, path, {});
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ [field]: ['This field is required.'] });
  });
});
