/**
 * Ending JWT logins on request: `POST /api/token/logout/` ends the login the
 * access token belongs to, and `POST /api/token/logoutall/` every login of
 * the user, including tokens simplejwt minted with the shared key.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  NOT_PROVIDED,
  bearer,
  call,
  decodeParts,
  expectJson,
  freezeAt,
  makeApp,
  makeUser,
  me,
  obtainPair,
  publicUser,
  type App,
  type Pair,
  type TestUser,
} from './helpers';
import {
  ACCESS_BLACKLISTED,
  BLACKLISTED,
  VERIFY_BLACKLISTED,
  expect401,
  familyOf,
  logout,
  refresh,
  simplejwtToken,
  verify,
} from './helpers/jwt';

const app = makeApp();

afterEach(() => {
  vi.useRealTimers();
});

async function familyRow(id: string) {
  return env.DB.prepare('SELECT revoked_at, revoked_reason FROM refresh_families WHERE id = ?')
    .bind(id)
    .first<{ revoked_at: number | null; revoked_reason: string | null }>();
}

/** The pair still works everywhere: /api/me/, verify/ for both tokens, and refresh/. */
async function expectUsable(target: App, pair: Pair, user: TestUser) {
  await expectJson(await me(target, bearer(pair.access)), 200, publicUser(user));
  expect((await verify(target, pair.access)).status).toBe(200);
  expect((await verify(target, pair.refresh)).status).toBe(200);
  expect((await refresh(target, pair.refresh)).status).toBe(200);
}

function logoutAll(access: string): Promise<Response> {
  return call(app, '/api/token/logoutall/', { method: 'POST', headers: bearer(access) });
}

describe('POST /api/token/logout/', () => {
  it('ends the login the access token belongs to, and only that login', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    const sibling = (await (await refresh(app, login.refresh)).json()) as Pair;
    const other = await obtainPair(app, user);

    await expectJson(await logout(app, login.access), 200, { detail: 'Successfully logged out.' });

    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
    await expect401(await me(app, bearer(sibling.access)), ACCESS_BLACKLISTED);
    await expect401(await refresh(app, sibling.refresh), BLACKLISTED);
    expect(await familyRow(familyOf(login.refresh))).toMatchObject({ revoked_reason: 'logout' });
    await expectUsable(app, other, user);
  });

  it('without credentials answers 401 not_authenticated with the Bearer challenge', async () => {
    await expect401(await call(app, '/api/token/logout/', { method: 'POST' }), NOT_PROVIDED);
  });

  it('makes POST /api/token/verify/ answer 400 "Token is blacklisted" for the access token', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    expect((await logout(app, login.access)).status).toBe(200);

    for (const token of [login.access, login.refresh]) {
      await expectJson(await verify(app, token), 400, VERIFY_BLACKLISTED);
    }
  });
});

describe('POST /api/token/logoutall/', () => {
  it('refuses every token the user held before, everywhere', async () => {
    const user = await makeUser(app);
    const first = await obtainPair(app, user);
    const second = await obtainPair(app, user);
    const rotated = (await (await refresh(app, second.refresh)).json()) as Pair;

    await expectJson(await logoutAll(first.access), 200, {
      detail: 'Successfully logged out everywhere.',
    });

    for (const pair of [first, second, rotated]) {
      await expect401(await me(app, bearer(pair.access)), ACCESS_BLACKLISTED);
      await expect401(await refresh(app, pair.refresh), BLACKLISTED);
      for (const token of [pair.access, pair.refresh]) {
        await expectJson(await verify(app, token), 400, VERIFY_BLACKLISTED);
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

    expect((await logoutAll(mine.access)).status).toBe(200);
    await expectUsable(app, theirs, bystander);
  });

  it('lets a login made right after it, in the same second, use /api/me/ and refresh/', async () => {
    const user = await makeUser(app);
    const second = Math.floor(Date.now() / 1000) * 1000;
    freezeAt(second + 100);
    const before = await obtainPair(app, user);
    vi.setSystemTime(second + 400);
    expect((await logoutAll(before.access)).status).toBe(200);

    vi.setSystemTime(second + 700);
    const after = await obtainPair(app, user);
    expect(decodeParts(after.access).claims.iat).toBe(decodeParts(before.access).claims.iat);
    await expect401(await me(app, bearer(before.access)), ACCESS_BLACKLISTED);
    expect((await me(app, bearer(after.access))).status).toBe(200);
    expect((await refresh(app, after.refresh)).status).toBe(200);
  });

  it('lets POST /api/token/verify/ accept a login made right after it, in the same second', async () => {
    const user = await makeUser(app);
    const second = Math.floor(Date.now() / 1000) * 1000;
    freezeAt(second + 100);
    const before = await obtainPair(app, user);
    vi.setSystemTime(second + 400);
    expect((await logoutAll(before.access)).status).toBe(200);

    vi.setSystemTime(second + 700);
    const after = await obtainPair(app, user);
    for (const token of [after.access, after.refresh]) {
      await expectJson(await verify(app, token), 200, {});
    }
  });

  it('keeps verify/ refusing a simplejwt refresh token from before it once user:<id> has expired', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0 - 5_000);
    const minted = (await simplejwtToken('refresh', user.id)).token;
    const login = await obtainPair(app, user);
    vi.setSystemTime(t0);
    expect((await logoutAll(login.access)).status).toBe(200);
    // The marker lives ACCESS_TOKEN_LIFETIME (300 s); its expiry is simulated by removing it.
    await env.KV.delete(`user:${user.id}`);
    vi.setSystemTime(t0 + 400_000);

    await expect401(await refresh(app, minted), BLACKLISTED);
    await expectJson(await verify(app, minted), 400, VERIFY_BLACKLISTED);
  });
});
