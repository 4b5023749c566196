/**
 * What a password change does to credentials: every credential the user
 * holds dies (other JWT logins, opaque tokens, sessions), and the one that
 * made the request carries on, renewed, as Django's
 * `update_session_auth_hash` keeps a session: JWT, opaque token, session,
 * JWT cookie mode and Basic. The clock is frozen: what is issued at the
 * moment of the change lives, what was issued one millisecond before dies.
 */
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { wasmArgon2id } from '../src/crypto/argon2id';
import { createPasswordHasher } from '../src/crypto/password';
import {
  NEW_PASSWORD,
  changeBody,
  changeFromBrowser,
  changePassword,
  expectAllDead,
  holdEverything,
  logsIn,
  meStatus,
  obtainToken,
  refreshStatus,
} from './helpers/accounts';
import { SESSION_ID, jsonLogin, send, setCookies } from './helpers/browser';
import { COOKIE_MODE, tokenLogin } from './helpers/cookie-mode';
import {
  basic,
  bearer,
  call,
  countingHasher,
  expectJson,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  tokenHeader,
  type TestUser,
} from './helpers';

const T0 = Date.UTC(2026, 10, 30, 9, 0, 0);
let now = T0;
const clock = { now: () => now };
const hasher = countingHasher();
const app = makeApp({ hasher, clock });
const cookieApp = makeApp({ hasher, clock, settings: COOKIE_MODE });
const SAVED = 'New password has been saved.';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
  now = T0;
});

/**
 * A user holding one of each credential (the other logins), all issued at
 * T0, and the request's own credential (`own`, issued at T0 too); the change
 * happens 1 ms later.
 */
async function holder<T>(own: (user: TestUser) => Promise<T>, target = app) {
  const user = await makeUser(target);
  const held = await holdEverything(target, user);
  const mine = await own(user);
  now = T0 + 1;
  return { user, held, own: mine };
}

describe('a password change from a JWT', () => {
  it('answers a fresh pair that works, and kills every other credential', async () => {
    const { user, held, own } = await holder((user) => obtainPair(app, user));
    const res = await changePassword(app, bearer(own.access), changeBody(user));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { detail: string; access: string; refresh: string };
    expect(Object.keys(answer)).toEqual(['detail', 'access', 'refresh']);
    expect(answer.detail).toBe(SAVED);
    // Used at the very millisecond of the change: issued at it, not before it.
    expect(await meStatus(app, bearer(answer.access))).toBe(200);
    expect(await refreshStatus(app, answer.refresh)).toBe(200);
    expect(await meStatus(app, bearer(own.access))).toBe(401);
    expect(await refreshStatus(app, own.refresh)).toBe(401);
    await expectAllDead(app, held);
    expect(await logsIn(app, user.username, NEW_PASSWORD)).toBe(true);
    expect(await logsIn(app, user.username, user.password)).toBe(false);
  });

  it('sets the new tokens as cookies in cookie mode, and the old cookies stop working', async () => {
    const { user, jar } = await tokenLogin(cookieApp);
    const before = { access: jar.get('access_token')!, csrf: jar.get('csrftoken')! };
    now = T0 + 1;
    const res = await send(cookieApp, jar, 'POST', '/api/auth/password/change/', {
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': before.csrf },
      body: JSON.stringify(changeBody(user)),
    });
    expect(res.status).toBe(200);
    const { access, refresh } = (await res.json()) as { access: string; refresh: string };
    const cookies = setCookies(res);
    expect(cookies.access_token?.value).toBe(access);
    expect(cookies.refresh_token?.value).toBe(refresh);
    expect(cookies.csrftoken?.value).not.toBe(before.csrf);
    expect(await meStatus(cookieApp, { Cookie: `access_token=${before.access}` })).toBe(401);
    jar.store(res);
    expect(await meStatus(cookieApp, jar)).toBe(200);
  });
});

describe('a password change from an opaque token', () => {
  it('answers a new token in place of the one used, and kills every other credential', async () => {
    const { user, held, own } = await holder((user) => obtainToken(app, user));
    const res = await changePassword(app, tokenHeader(own), changeBody(user));
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { detail: string; token: string };
    expect(Object.keys(answer)).toEqual(['detail', 'token']);
    expect(answer.detail).toBe(SAVED);
    expect(await meStatus(app, tokenHeader(answer.token))).toBe(200);
    await expectJson(await postJson(app, '/api/tokens/logout/', {}, tokenHeader(own)), 401, {
      detail: 'Invalid token.',
      code: 'authentication_failed',
    });
    await expectAllDead(app, held);
  });

  it('keeps the replaced token’s name and never extends its expiry', async () => {
    const user = await makeUser(app);
    const first = await obtainToken(app, user);
    const created = await postJson(
      app,
      '/api/tokens/',
      { name: 'laptop', expires_in: 3600 },
      tokenHeader(first),
    );
    const laptop = ((await created.json()) as { token: string }).token;
    now = T0 + 60_500;
    const res = await changePassword(app, tokenHeader(laptop), changeBody(user));
    const { token } = (await res.json()) as { token: string };
    const listed = await call(app, '/api/tokens/', { headers: tokenHeader(token) });
    const tokens = (await listed.json()) as { name: string; expires: string; current: boolean }[];
    expect(tokens).toEqual([
      expect.objectContaining({
        name: 'laptop',
        current: true,
        // 3600 s after T0, rounded down to the second after the change at T0 + 60.5 s.
        expires: new Date(T0 + 3_600_000 - 500).toISOString(),
      }),
    ]);
  });
});

describe('a password change from a browser session', () => {
  it('rotates the session and the CSRF token, keeps the browser signed in, kills the rest', async () => {
    const { user, held, own: browser } = await holder((user) => jsonLogin(app, user));
    const before = { session: browser.sessionId, csrf: browser.jar.get('csrftoken')! };
    const res = await changeFromBrowser(app, browser, changeBody(user));
    await expectJson(res, 200, { detail: SAVED });
    const cookies = setCookies(res);
    expect(cookies.sessionid?.value).toMatch(SESSION_ID);
    expect(cookies.sessionid?.value).not.toBe(before.session);
    expect(cookies.sessionid?.attributes).toMatchObject({ httponly: true, path: '/' });
    expect(cookies.csrftoken?.value).not.toBe(before.csrf);
    expect(await meStatus(app, { Cookie: `sessionid=${before.session}` })).toBe(401);
    browser.jar.store(res);
    expect(await meStatus(app, browser.jar)).toBe(200);
    await expectAllDead(app, held);
  });
});

describe('a password change with Basic authentication', () => {
  it('answers the detail only; the new password authenticates from then on, the old one not', async () => {
    const basicApp = makeApp({
      hasher,
      clock,
      settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication,JWTAuthentication' },
    });
    const { user, held } = await holder(async () => undefined, basicApp);
    const before = hasher.count;
    const res = await changePassword(
      basicApp,
      basic(user.username, user.password),
      changeBody(user),
    );
    await expectJson(res, 200, { detail: SAVED });
    expect(hasher.count - before).toBe(3);
    expect(await meStatus(basicApp, basic(user.username, NEW_PASSWORD))).toBe(200);
    expect(await meStatus(basicApp, basic(user.username, user.password))).toBe(401);
    expect(await meStatus(basicApp, bearer(held.pair.access))).toBe(401);
    expect(await refreshStatus(basicApp, held.pair.refresh)).toBe(401);
  });
});

describe('a password change right after Basic re-hashed the password', () => {
  it('compares with the hash stored by that re-hash, and saves', async () => {
    const user = await makeUser(app);
    const params = { memoryKiB: 128, iterations: 1, parallelism: 1 };
    const rehashing = makeApp({
      hasher: createPasswordHasher(params, wasmArgon2id),
      clock,
      settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' },
    });
    const res = await changePassword(
      rehashing,
      basic(user.username, user.password),
      changeBody(user),
    );
    await expectJson(res, 200, { detail: SAVED });
    expect(await meStatus(rehashing, basic(user.username, NEW_PASSWORD))).toBe(200);
  });
});

describe('the revoked-before moment and the new credential', () => {
  it('kills what was issued in the millisecond before the change, and keeps what the change issued', async () => {
    const { user, own } = await holder((user) => obtainPair(app, user));
    const res = await changePassword(app, bearer(own.access), changeBody(user));
    const answer = (await res.json()) as { access: string; refresh: string };
    for (const at of [T0 + 1, T0 + 2, T0 + 240_000]) {
      now = at;
      expect(await meStatus(app, bearer(own.access))).toBe(401);
      expect(await meStatus(app, bearer(answer.access))).toBe(200);
    }
    now = T0 + 1;
    const rotated = await postJson(app, '/api/token/refresh/', { refresh: answer.refresh });
    expect(rotated.status).toBe(200);
    const next = (await rotated.json()) as { access: string };
    expect(await meStatus(app, bearer(next.access))).toBe(200);
  });
});

describe('with a clock that moves on at every reading', () => {
  let tick = T0;
  const moving = makeApp({ hasher, clock: { now: () => (tick += 1) } });

  it('issues the renewed JWT, session and token at the revoked-before moment, never before it', async () => {
    const user = await makeUser(moving);
    const pair = await obtainPair(moving, user);
    const jwt = await changePassword(moving, bearer(pair.access), changeBody(user));
    const { access } = (await jwt.json()) as { access: string };
    expect(await meStatus(moving, bearer(access))).toBe(200);

    const next = { ...user, password: NEW_PASSWORD };
    const browser = await jsonLogin(moving, next);
    const session = await changeFromBrowser(moving, browser, changeBody(next, `${NEW_PASSWORD}!`));
    browser.jar.store(session);
    expect(await meStatus(moving, browser.jar)).toBe(200);

    const last = { ...user, password: `${NEW_PASSWORD}!` };
    const token = await obtainToken(moving, last);
    const renewed = await changePassword(moving, tokenHeader(token), changeBody(last));
    const { token: replacement } = (await renewed.json()) as { token: string };
    expect(await meStatus(moving, tokenHeader(replacement))).toBe(200);
    expect(await meStatus(moving, tokenHeader(token))).toBe(401);
  });
});
