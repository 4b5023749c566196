/**
 * `POST /api/auth/password/change/` (dj-rest-auth's `PasswordChangeView`):
 * bad inputs with Django's texts, who may call it, what it costs in hashes,
 * storage failures, the security event, and `PATCH /api/me/` refusing a
 * password. What happens to each kind of credential is in
 * `password-change-credentials.test.ts`.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  CHANGE,
  NEW_PASSWORD,
  WRONG_OLD,
  changeBody,
  changePassword,
  changeFromBrowser,
  eventsOf,
  logsIn,
  meStatus,
  obtainToken,
} from './helpers/accounts';
import { COOKIE_NOT_SET, jsonLogin, send } from './helpers/browser';
import {
  BEARER,
  NOT_PROVIDED,
  UNAVAILABLE,
  bearer,
  call,
  countingHasher,
  expectJson,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  publicUser,
  tokenHeader,
} from './helpers';
import { d1ThatCannotWrite, kvThatCannotWrite } from './helpers/storage';

const hasher = countingHasher();
const app = makeApp({ hasher });

beforeEach(() => {
  // Each security event is also a log line.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

/** A user and the headers of a JWT of theirs. */
async function signedIn() {
  const user = await makeUser(app);
  const pair = await obtainPair(app, user);
  return { user, headers: bearer(pair.access) };
}

describe('POST /api/auth/password/change/: bad input', () => {
  it.each([
    [
      'an empty body',
      {},
      {
        old_password: ['This field is required.'],
        new_password1: ['This field is required.'],
        new_password2: ['This field is required.'],
      },
    ],
    [
      'blank fields',
      { old_password: '', new_password1: '', new_password2: '' },
      {
        old_password: ['This field may not be blank.'],
        new_password1: ['This field may not be blank.'],
        new_password2: ['This field may not be blank.'],
      },
    ],
    [
      'values that are not strings',
      { old_password: null, new_password1: ['x'], new_password2: { a: 1 } },
      {
        old_password: ['This field may not be null.'],
        new_password1: ['Not a valid string.'],
        new_password2: ['Not a valid string.'],
      },
    ],
    [
      'passwords over PASSWORD_MAX_LENGTH',
      { old_password: 'p'.repeat(1025), new_password1: 'q'.repeat(1025), new_password2: 'q' },
      {
        old_password: ['Ensure this field has no more than 1024 characters.'],
        new_password1: ['Ensure this field has no more than 1024 characters.'],
      },
    ],
  ])('answers %s with DRF’s field errors, before any hashing', async (_case, fields, errors) => {
    const { user, headers } = await signedIn();
    const before = hasher.count;
    await expectJson(await changePassword(app, headers, fields), 400, errors);
    expect(hasher.count).toBe(before);
    expect(await logsIn(app, user.username, user.password)).toBe(true);
  });

  it('refuses a wrong old password with Django’s text and one hash, even when the new ones differ', async () => {
    const { user, headers } = await signedIn();
    const before = hasher.count;
    const fields = { old_password: 'not it at all', new_password1: 'a', new_password2: 'b' };
    await expectJson(await changePassword(app, headers, fields), 400, WRONG_OLD);
    expect(hasher.count - before).toBe(1);
    expect(await logsIn(app, user.username, user.password)).toBe(true);
  });

  it('refuses two different new passwords under new_password2, with Django’s apostrophe (U+2019)', async () => {
    const { user, headers } = await signedIn();
    const fields = { ...changeBody(user), new_password2: `${NEW_PASSWORD}!` };
    const res = await changePassword(app, headers, fields);
    await expectJson(res, 400, { new_password2: ['The two password fields didn\u2019t match.'] });
    expect(await logsIn(app, user.username, NEW_PASSWORD)).toBe(false);
  });

  it.each([
    ['too short', 'x7!k', 'This password is too short. It must contain at least 8 characters.'],
    ['common', 'password123', 'This password is too common.'],
    ['entirely numeric', '40982731650', 'This password is entirely numeric.'],
  ])('answers a %s new password with the validator’s message', async (_case, next, message) => {
    const { user, headers } = await signedIn();
    const res = await changePassword(app, headers, changeBody(user, next));
    expect(res.status).toBe(400);
    expect(((await res.json()) as { new_password2: string[] }).new_password2).toContain(message);
    expect(await logsIn(app, user.username, next)).toBe(false);
  });

  it('checks the new password against the account’s own username and email', async () => {
    const { user, headers } = await signedIn();
    const next = `${user.username}-2026`;
    await expectJson(await changePassword(app, headers, changeBody(user, next)), 400, {
      new_password2: ['The password is too similar to the username.'],
    });
  });
});

describe('POST /api/auth/password/change/: who may call it', () => {
  it('refuses an anonymous request with 401 and the Bearer challenge', async () => {
    const res = await postJson(app, CHANGE, changeBody({ password: 'x' }));
    await expectJson(res, 401, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  });

  it('refuses a scoped opaque token, and changes nothing', async () => {
    const user = await makeUser(app);
    const token = await obtainToken(app, user);
    const created = await postJson(
      app,
      '/api/tokens/',
      { name: 'ci', scopes: ['read'] },
      tokenHeader(token),
    );
    const scoped = ((await created.json()) as { token: string }).token;
    const res = await changePassword(app, tokenHeader(scoped), changeBody(user));
    await expectJson(res, 403, {
      detail: 'A scoped token cannot manage credentials.',
      code: 'permission_denied',
    });
    expect(await logsIn(app, user.username, user.password)).toBe(true);
    expect(await meStatus(app, tokenHeader(scoped))).toBe(200);
  });

  it('refuses a session request without its CSRF token, and changes nothing', async () => {
    const user = await makeUser(app);
    const browser = await jsonLogin(app, user);
    const res = await send(app, browser.jar.without('csrftoken'), 'POST', CHANGE, {
      headers: { 'Content-Type': 'application/json', 'X-CSRFToken': 'A'.repeat(64) },
      body: JSON.stringify(changeBody(user)),
    });
    await expectJson(res, 403, COOKIE_NOT_SET);
    expect(await logsIn(app, user.username, user.password)).toBe(true);
  });

  it('answers GET with 405 and Allow', async () => {
    const { headers } = await signedIn();
    const res = await call(app, CHANGE, { headers });
    await expectJson(res, 405, { detail: 'Method "GET" not allowed.', code: 'method_not_allowed' });
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
  });

  it('costs two hashes when it succeeds: the old password checked, the new one hashed', async () => {
    const { user, headers } = await signedIn();
    const before = hasher.count;
    expect((await changePassword(app, headers, changeBody(user))).status).toBe(200);
    expect(hasher.count - before).toBe(2);
  });

  it('lets one of two concurrent changes from the same password win, never both', async () => {
    const { user, headers } = await signedIn();
    const [first, second] = await Promise.all([
      changePassword(app, headers, changeBody(user, `${NEW_PASSWORD} one`)),
      changePassword(app, headers, changeBody(user, `${NEW_PASSWORD} two`)),
    ]);
    const statuses = [first!.status, second!.status];
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    const winner = statuses[0] === 200 ? 'one' : 'two';
    const loser = winner === 'one' ? 'two' : 'one';
    expect(await logsIn(app, user.username, `${NEW_PASSWORD} ${winner}`)).toBe(true);
    expect(await logsIn(app, user.username, `${NEW_PASSWORD} ${loser}`)).toBe(false);
  });
});

describe('POST /api/auth/password/change/: storage and the record of it', () => {
  it('answers 503 and changes nothing when D1 cannot write', async () => {
    const { user, headers } = await signedIn();
    const broken = makeApp({ hasher, bindings: { DB: d1ThatCannotWrite() } });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expectJson(await changePassword(broken, headers, changeBody(user)), 503, UNAVAILABLE);
    expect(await logsIn(app, user.username, user.password)).toBe(true);
    expect(await logsIn(app, user.username, NEW_PASSWORD)).toBe(false);
    expect(await meStatus(app, headers)).toBe(200);
  });

  it('answers 503, never "saved", when KV cannot write the revocation', async () => {
    const { user, headers } = await signedIn();
    const broken = makeApp({ hasher, bindings: { KV: kvThatCannotWrite() } });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    await expectJson(await changePassword(broken, headers, changeBody(user)), 503, UNAVAILABLE);
  });

  it('records password_changed with the credential kind, the client’s address and agent', async () => {
    const user = await makeUser(app);
    const browser = await jsonLogin(app, user);
    const res = await send(app, browser.jar, 'POST', CHANGE, {
      headers: {
        'Content-Type': 'application/json',
        'X-CSRFToken': browser.jar.get('csrftoken')!,
        'CF-Connecting-IP': '203.0.113.9',
        'User-Agent': 'pytest/1.0',
      },
      body: JSON.stringify(changeBody(user)),
    });
    expect(res.status).toBe(200);
    expect(await eventsOf(user.id)).toEqual([
      {
        type: 'password_changed',
        user_id: user.id,
        ip: '203.0.113.9',
        user_agent: 'pytest/1.0',
        credential: 'session',
      },
    ]);
  });

  it('records nothing for a refused change', async () => {
    const { user, headers } = await signedIn();
    await changePassword(app, headers, { ...changeBody(user), old_password: 'wrong' });
    expect(await eventsOf(user.id)).toEqual([]);
  });

  it('voids the password-reset tokens the account had', async () => {
    const user = await makeUser(app);
    const browser = await jsonLogin(app, user);
    const { passwordResets } = cloudflareStores(env);
    const now = Date.now();
    const digest = `reset-${user.id}`;
    const reset = { digest, userId: user.id, createdAt: now, fingerprint: 'f' };
    await passwordResets.replace({ ...reset, expiresAt: now + 3_600_000 });
    expect((await changeFromBrowser(app, browser, changeBody(user))).status).toBe(200);
    expect(await passwordResets.consume(digest, now + 1)).toBeNull();
  });
});

describe('PATCH /api/me/ with a password', () => {
  function patch(headers: Record<string, string>, fields: unknown) {
    return call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(fields),
    });
  }
  const USE_CHANGE = 'Use /api/auth/password/change/ to change the password.';

  it('is a 400 naming the change route, and nothing else in the body is changed', async () => {
    const { user, headers } = await signedIn();
    const res = await patch(headers, { email: 'changed@example.org', password: NEW_PASSWORD });
    await expectJson(res, 400, { password: [USE_CHANGE] });
    await expectJson(await call(app, '/api/me/', { headers }), 200, publicUser(user));
    expect(await logsIn(app, user.username, NEW_PASSWORD)).toBe(false);
  });

  it('refuses the other password fields clients send too, each by name', async () => {
    const { headers } = await signedIn();
    const res = await patch(headers, { password1: 'a', new_password1: 'b', new_password2: 'b' });
    await expectJson(res, 400, {
      password1: [USE_CHANGE],
      new_password1: [USE_CHANGE],
      new_password2: [USE_CHANGE],
    });
  });

  it('names the configured prefix', async () => {
    const prefixed = makeApp({ hasher, settings: { ROUTE_PREFIX_AUTH: '/auth' } });
    const { headers } = await signedIn();
    const res = await call(prefixed, '/api/me/', {
      method: 'PATCH',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ password: NEW_PASSWORD }),
    });
    await expectJson(res, 400, {
      password: ['Use /auth/password/change/ to change the password.'],
    });
  });
});
