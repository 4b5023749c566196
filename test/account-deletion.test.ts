/**
 * `DELETE /api/me/` with `{"password"}`: the account is deleted (not
 * anonymised), every credential it held dies, its rows go with it, its
 * security events stay, and its username is free again. Bad inputs, who may
 * call it, what it costs, storage failures, and the cookies it clears.
 */
import { env } from 'cloudflare:test';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  deleteAccount,
  eventsOf,
  expectAllDead,
  holdEverything,
  logsIn,
  meStatus,
  obtainToken,
} from './helpers/accounts';
import { csrf, expectSessionCookieDeleted, jsonLogin, send, setCookies } from './helpers/browser';
import { COOKIE_MODE, tokenLogin } from './helpers/cookie-mode';
import {
  BEARER,
  NOT_PROVIDED,
  UNAVAILABLE,
  bearer,
  countingHasher,
  expectJson,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  tokenHeader,
} from './helpers';
import { d1ThatCannotWrite } from './helpers/storage';

const hasher = countingHasher();
const app = makeApp({ hasher });
const WRONG = { password: ['Your password was entered incorrectly. Please enter it again.'] };

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});

async function rowsOf(table: string, userId: number): Promise<number> {
  const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table} WHERE user_id = ?`)
    .bind(userId)
    .first<{ n: number }>();
  return row!.n;
}

describe('DELETE /api/me/', () => {
  it('deletes the account: 204 without a body, and the username no longer logs in', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const res = await deleteAccount(app, bearer(pair.access), { password: user.password });
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
    expect(await logsIn(app, user.username, user.password)).toBe(false);
    expect(await cloudflareStores(env).users.findById(user.id)).toBeNull();
  });

  it('kills every credential the account held, the one used included', async () => {
    const user = await makeUser(app);
    const held = await holdEverything(app, user);
    const own = await obtainToken(app, user);
    expect((await deleteAccount(app, tokenHeader(own), { password: user.password })).status).toBe(
      204,
    );
    expect(await meStatus(app, tokenHeader(own))).toBe(401);
    await expectAllDead(app, held);
  });

  it('takes its refresh families, tokens and one-time keys with it, and keeps its security events', async () => {
    const user = await makeUser(app);
    const held = await holdEverything(app, user);
    const now = Date.now();
    const stores = cloudflareStores(env);
    await stores.passwordResets.replace({
      digest: `reset-${user.id}`,
      userId: user.id,
      createdAt: now,
      expiresAt: now + 60_000,
      fingerprint: 'f',
    });
    await stores.emailConfirmations.create({
      digest: `confirm-${user.id}`,
      userId: user.id,
      email: 'new@example.org',
      purpose: 'change',
      createdAt: now,
      expiresAt: now + 60_000,
    });
    const headers = { ...bearer(held.pair.access), 'CF-Connecting-IP': '198.51.100.4' };
    expect((await deleteAccount(app, headers, { password: user.password })).status).toBe(204);
    for (const table of [
      'refresh_families',
      'api_tokens',
      'password_resets',
      'email_confirmations',
    ]) {
      expect(await rowsOf(table, user.id), table).toBe(0);
    }
    expect(await eventsOf(user.id)).toEqual([
      {
        type: 'account_deleted',
        user_id: user.id,
        ip: '198.51.100.4',
        user_agent: null,
        credential: 'jwt',
      },
    ]);
  });

  it('frees the username for a new account, which never gets the old id', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    await deleteAccount(app, bearer(pair.access), { password: user.password });
    const again = await makeUser(app, { username: user.username, password: 'another secret 4021' });
    expect(again.id).toBeGreaterThan(user.id);
    expect(await meStatus(app, bearer(pair.access))).toBe(401);
  });

  it('clears the session cookie of a browser session (with its CSRF check)', async () => {
    const user = await makeUser(app);
    const browser = await jsonLogin(app, user);
    const body = JSON.stringify({ password: user.password });
    const headers = { 'Content-Type': 'application/json' };
    const refused = await send(app, browser.jar, 'DELETE', '/api/me/', { headers, body });
    expect(refused.status).toBe(403);
    const res = await send(app, browser.jar, 'DELETE', '/api/me/', {
      headers: { ...headers, ...csrf(browser.jar) },
      body,
    });
    expect(res.status).toBe(204);
    expectSessionCookieDeleted(res);
    expect(await eventsOf(user.id)).toMatchObject([{ credential: 'session' }]);
  });

  it('clears the JWT cookies in cookie mode', async () => {
    const cookieApp = makeApp({ hasher, settings: COOKIE_MODE });
    const { user, jar } = await tokenLogin(cookieApp);
    const res = await send(cookieApp, jar, 'DELETE', '/api/me/', {
      headers: { 'Content-Type': 'application/json', ...csrf(jar) },
      body: JSON.stringify({ password: user.password }),
    });
    expect(res.status).toBe(204);
    const cookies = setCookies(res);
    expect(cookies.access_token?.attributes['max-age']).toBe('0');
    expect(cookies.refresh_token?.attributes).toMatchObject({
      'max-age': '0',
      path: '/api/token/',
    });
  });
});

describe('DELETE /api/me/: refusals', () => {
  it('refuses a wrong password with one hash, and deletes nothing', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const before = hasher.count;
    await expectJson(
      await deleteAccount(app, bearer(pair.access), { password: 'nope' }),
      400,
      WRONG,
    );
    expect(hasher.count - before).toBe(1);
    expect(await meStatus(app, bearer(pair.access))).toBe(200);
    expect(await eventsOf(user.id)).toEqual([]);
  });

  it.each([
    ['no password', {}, { password: ['This field is required.'] }],
    ['a blank one', { password: '' }, { password: ['This field may not be blank.'] }],
    ['a list', { password: ['x'] }, { password: ['Not a valid string.'] }],
    [
      'one over PASSWORD_MAX_LENGTH',
      { password: 'p'.repeat(1025) },
      { password: ['Ensure this field has no more than 1024 characters.'] },
    ],
  ])('answers %s with a field error, before any hashing', async (_case, fields, errors) => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const before = hasher.count;
    await expectJson(await deleteAccount(app, bearer(pair.access), fields), 400, errors);
    expect(hasher.count).toBe(before);
    expect(await meStatus(app, bearer(pair.access))).toBe(200);
  });

  it('refuses an anonymous request with 401 and the Bearer challenge', async () => {
    const res = await deleteAccount(app, {}, { password: 'x' });
    await expectJson(res, 401, NOT_PROVIDED);
    expect(res.headers.get('WWW-Authenticate')).toBe(BEARER);
  });

  it('refuses a scoped token, and deletes nothing', async () => {
    const user = await makeUser(app);
    const token = await obtainToken(app, user);
    const created = await postJson(
      app,
      '/api/tokens/',
      { name: 'ro', scopes: ['read'] },
      {
        ...tokenHeader(token),
      },
    );
    const scoped = ((await created.json()) as { token: string }).token;
    const res = await deleteAccount(app, tokenHeader(scoped), { password: user.password });
    await expectJson(res, 403, {
      detail: 'A scoped token cannot change the account.',
      code: 'permission_denied',
    });
    expect(await logsIn(app, user.username, user.password)).toBe(true);
  });

  it('answers 503 and keeps the account when D1 cannot write', async () => {
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const broken = makeApp({ hasher, bindings: { DB: d1ThatCannotWrite() } });
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await deleteAccount(broken, bearer(pair.access), { password: user.password });
    await expectJson(res, 503, UNAVAILABLE);
    expect(await cloudflareStores(env).users.findById(user.id)).not.toBeNull();
    expect(await logsIn(app, user.username, user.password)).toBe(true);
  });
});
