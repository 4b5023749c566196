/**
 * Refresh-token rotation (shared/API.md, deliberate difference 5): race-safe
 * rotation, the reuse grace window, reuse detection that revokes the whole
 * login, the family's absolute lifetime, simplejwt's rotation settings, tokens
 * minted by simplejwt itself, and what a deactivated account or a credential
 * change does to a login in progress.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { deactivateUser } from '../src/lib';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  INVALID_TOKEN,
  bearer,
  decodeParts,
  expectJson,
  freezeAt,
  makeApp,
  makeUser,
  me,
  obtainPair,
  postJson,
  type App,
  type Pair,
  type TestUser,
} from './helpers';
import {
  ACCESS_BLACKLISTED,
  BLACKLISTED,
  VERIFY_BLACKLISTED,
  expect401,
  refresh,
  services,
  simplejwtToken,
  verify,
} from './helpers/jwt';
import { sha256Hex } from './helpers/storage';

const HOUR_MS = 3_600_000;

const app = makeApp();

afterEach(() => {
  vi.useRealTimers();
});

function claimsOf(token: string) {
  return decodeParts(token).claims as {
    token_type: string;
    exp: number;
    iat: number;
    jti: string;
    user_id: number;
    fam?: string;
  };
}

interface FamilyRow {
  id: string;
  user_id: number;
  created_at: number;
  expires_at: number;
  current_jti: string;
  current_exp: number;
  previous_jti: string | null;
  revoked_at: number | null;
  revoked_reason: string | null;
}

function familyRow(id: string): Promise<FamilyRow | null> {
  return env.DB.prepare('SELECT * FROM refresh_families WHERE id = ?').bind(id).first<FamilyRow>();
}

async function liveFamilies(userId: number): Promise<number> {
  const row = await env.DB.prepare(
    'SELECT count(*) AS n FROM refresh_families WHERE user_id = ? AND revoked_at IS NULL',
  )
    .bind(userId)
    .first<{ n: number }>();
  return row!.n;
}

async function refreshOk(target: App, token: string): Promise<Pair> {
  const res = await refresh(target, token);
  expect(res.status).toBe(200);
  return (await res.json()) as Pair;
}

describe('concurrent refreshes of one refresh token', () => {
  let user: TestUser;

  beforeAll(async () => {
    user = await makeUser(app);
  });

  it('answer 200 twenty times with one new refresh token, leaving exactly one live login', async () => {
    const pair = await obtainPair(app, user);
    const oldJti = claimsOf(pair.refresh).jti;

    const answers = await Promise.all(Array.from({ length: 20 }, () => refresh(app, pair.refresh)));

    expect(answers.map((res) => res.status)).toEqual(Array(20).fill(200));
    const bodies = (await Promise.all(answers.map((res) => res.json()))) as Pair[];
    const jtis = new Set(bodies.map((b) => claimsOf(b.refresh).jti));
    expect(jtis.size).toBe(1);
    const [winner] = [...jtis];
    expect(winner).toMatch(/^[0-9a-f]{32}$/);
    expect(winner).not.toBe(oldJti);
    const family = claimsOf(pair.refresh).fam!;
    expect(new Set(bodies.map((b) => claimsOf(b.refresh).fam))).toEqual(new Set([family]));
    expect((await familyRow(family))!.current_jti).toBe(winner);
    expect(await liveFamilies(user.id)).toBe(1);

    const next = await refreshOk(app, bodies[0]!.refresh);
    expect(claimsOf(next.refresh).jti).not.toBe(winner);
    expect((await me(app, bearer(next.access))).status).toBe(200);
  });
});

describe('presenting a rotated refresh token again', () => {
  let user: TestUser;

  beforeAll(async () => {
    user = await makeUser(app);
  });

  it('within REFRESH_TOKEN_REUSE_GRACE (10 s) answers 200 with the same new refresh token', async () => {
    const t0 = Date.now();
    freezeAt(t0);
    const pair = await obtainPair(app, user);
    vi.setSystemTime(t0 + 1_000);
    const rotated = await refreshOk(app, pair.refresh);

    vi.setSystemTime(t0 + 1_000 + 10_000);
    const retry = await refresh(app, pair.refresh);
    expect(retry.status).toBe(200);
    const again = (await retry.json()) as Pair;
    expect(Object.keys(again)).toEqual(['access', 'refresh']);
    expect(claimsOf(again.refresh).jti).toBe(claimsOf(rotated.refresh).jti);
    expect(claimsOf(again.refresh).exp).toBe(claimsOf(rotated.refresh).exp);
    expect((await me(app, bearer(again.access))).status).toBe(200);
    expect((await familyRow(claimsOf(pair.refresh).fam!))!.revoked_at).toBeNull();
  });

  it('after the grace window is reuse: 401 blacklisted, and every token of that login dies', async () => {
    const other = await obtainPair(app, user);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(app, user);
    vi.setSystemTime(t0 + 1_000);
    const rotated = await refreshOk(app, login.refresh);

    vi.setSystemTime(t0 + 1_000 + 10_001);
    await expect401(await refresh(app, login.refresh), BLACKLISTED);

    const row = (await familyRow(claimsOf(login.refresh).fam!))!;
    expect(row.revoked_reason).toBe('reuse');
    expect(row.revoked_at).toBe(t0 + 11_001);
    await expect401(await refresh(app, rotated.refresh), BLACKLISTED);
    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
    await expect401(await me(app, bearer(rotated.access)), ACCESS_BLACKLISTED);

    // Another login of the same user is a different family and lives on.
    expect((await me(app, bearer(other.access))).status).toBe(200);
    const otherNext = await refreshOk(app, other.refresh);
    expect((await me(app, bearer(otherNext.access))).status).toBe(200);
  });

  it('with REFRESH_TOKEN_REUSE_GRACE 0 is reuse as soon as the clock moves', async () => {
    const strict = makeApp({ settings: { REFRESH_TOKEN_REUSE_GRACE: '0' } });
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(strict, user);
    const rotated = await refreshOk(strict, login.refresh);
    vi.setSystemTime(t0 + 1);
    await expect401(await refresh(strict, login.refresh), BLACKLISTED);
    await expect401(await refresh(strict, rotated.refresh), BLACKLISTED);
  });

  it('with BLACKLIST_AFTER_ROTATION false is no reuse: the old token still rotates', async () => {
    const lenient = makeApp({ settings: { BLACKLIST_AFTER_ROTATION: 'false' } });
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(lenient, user);
    const first = await refreshOk(lenient, login.refresh);

    vi.setSystemTime(t0 + 60_000);
    const second = await refreshOk(lenient, login.refresh);
    expect(Object.keys(second)).toEqual(['access', 'refresh']);
    expect(claimsOf(second.refresh).jti).not.toBe(claimsOf(first.refresh).jti);
    expect((await refresh(lenient, first.refresh)).status).toBe(200);
    expect((await familyRow(claimsOf(login.refresh).fam!))!.revoked_at).toBeNull();
    expect((await me(lenient, bearer(login.access))).status).toBe(200);
  });
});

describe('ROTATE_REFRESH_TOKENS false', () => {
  it('answers only {"access"}, and the same refresh token keeps working', async () => {
    const plain = makeApp({ settings: { ROTATE_REFRESH_TOKENS: 'false' } });
    const user = await makeUser(plain);
    const login = await obtainPair(plain, user);
    const family = claimsOf(login.refresh).fam!;

    for (let i = 0; i < 3; i += 1) {
      const res = await refresh(plain, login.refresh);
      expect(res.status).toBe(200);
      const text = await res.text();
      expect(Object.keys(JSON.parse(text))).toEqual(['access']);
      const { access } = JSON.parse(text) as { access: string };
      expect(claimsOf(access)).toMatchObject({ token_type: 'access', user_id: user.id });
      expect((await me(plain, bearer(access))).status).toBe(200);
    }
    const row = (await familyRow(family))!;
    expect(row.current_jti).toBe(claimsOf(login.refresh).jti);
    expect(row.revoked_at).toBeNull();
  });
});

describe('the lifetime of refresh tokens and of their login', () => {
  it('a refresh token whose exp has passed answers 401 "Token is invalid or expired"', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(app, user);
    expect(claimsOf(login.refresh).exp).toBe(Math.floor(t0 / 1000) + 86_400);

    vi.setSystemTime((claimsOf(login.refresh).exp + 1) * 1000);
    await expect401(await refresh(app, login.refresh), INVALID_TOKEN);
  });

  it('refreshing every 20 hours never yields a refresh token past the end of the login', async () => {
    const capped = makeApp({
      settings: { REFRESH_TOKEN_LIFETIME: '1d', REFRESH_FAMILY_MAX_LIFETIME: '3d' },
    });
    const user = await makeUser(capped);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(capped, user);
    const family = claimsOf(login.refresh).fam!;
    const familyEnd = Math.floor((t0 + 3 * 24 * HOUR_MS) / 1000);
    expect((await familyRow(family))!.expires_at).toBe(t0 + 3 * 24 * HOUR_MS);

    let current = login.refresh;
    const exps: number[] = [];
    for (let k = 1; k <= 3; k += 1) {
      vi.setSystemTime(t0 + k * 20 * HOUR_MS);
      const next = await refreshOk(capped, current);
      const claims = claimsOf(next.refresh);
      expect(claims.fam).toBe(family);
      expect(claims.exp).toBeLessThanOrEqual(familyEnd);
      exps.push(claims.exp);
      current = next.refresh;
    }
    const base = Math.floor(t0 / 1000);
    expect(exps).toEqual([base + 44 * 3600, base + 64 * 3600, familyEnd]);

    vi.setSystemTime(t0 + 4 * 20 * HOUR_MS);
    await expect401(await refresh(capped, current), INVALID_TOKEN);
  });

  it('past the end of the login, a refresh token still inside LEEWAY is refused too', async () => {
    const capped = makeApp({
      settings: {
        REFRESH_TOKEN_LIFETIME: '1d',
        REFRESH_FAMILY_MAX_LIFETIME: '1d',
        LEEWAY: '300',
      },
    });
    const user = await makeUser(capped);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(capped, user);
    const familyEnd = t0 + 24 * HOUR_MS;

    vi.setSystemTime(familyEnd - 60_000);
    const last = await refreshOk(capped, login.refresh);
    expect(claimsOf(last.refresh).exp).toBe(Math.floor(familyEnd / 1000));

    vi.setSystemTime(familyEnd + 60_000);
    await expect401(await refresh(capped, last.refresh), INVALID_TOKEN);
    expect((await familyRow(claimsOf(login.refresh).fam!))!.current_jti).toBe(
      claimsOf(last.refresh).jti,
    );
  });
});

describe('a refresh token minted by simplejwt with the shared key (no "fam")', () => {
  it('is accepted once and rotated into a family derived from its jti', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0);
    const minted = await simplejwtToken('refresh', user.id);

    const rotated = await refreshOk(app, minted.token);
    const claims = claimsOf(rotated.refresh);
    const adopted =
      (minted.iat * 1000).toString(16).padStart(12, '0') +
      (await sha256Hex(minted.jti)).slice(0, 20);
    expect(claims.fam).toBe(adopted);
    expect(claims.jti).not.toBe(minted.jti);
    expect(claimsOf(rotated.access).fam).toBe(adopted);
    const row = (await familyRow(adopted))!;
    expect(row).toMatchObject({ user_id: user.id, previous_jti: minted.jti, revoked_at: null });
    expect(row.current_jti).toBe(claims.jti);
    expect((await me(app, bearer(rotated.access))).status).toBe(200);
  });

  it('presented again after the grace window is reuse, and its login is revoked', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0);
    const minted = await simplejwtToken('refresh', user.id);
    const rotated = await refreshOk(app, minted.token);

    vi.setSystemTime(t0 + 5_000);
    const retry = await refreshOk(app, minted.token);
    expect(claimsOf(retry.refresh).jti).toBe(claimsOf(rotated.refresh).jti);

    vi.setSystemTime(t0 + 11_000);
    await expect401(await refresh(app, minted.token), BLACKLISTED);
    expect((await familyRow(claimsOf(rotated.refresh).fam!))!.revoked_reason).toBe('reuse');
    await expect401(await refresh(app, rotated.refresh), BLACKLISTED);
    await expect401(await me(app, bearer(rotated.access)), ACCESS_BLACKLISTED);
  });
});

describe('a refresh token minted by simplejwt for an account unknown here', () => {
  it('is refused on refresh, blacklist and verify as a deleted account’s token, never with a 503', async () => {
    const minted = await simplejwtToken('refresh', 999_999_999);
    const adopted =
      (minted.iat * 1000).toString(16).padStart(12, '0') +
      (await sha256Hex(minted.jti)).slice(0, 20);

    await expect401(await refresh(app, minted.token), BLACKLISTED);
    await expect401(
      await postJson(app, '/api/token/blacklist/', { refresh: minted.token }),
      BLACKLISTED,
    );
    await expectJson(await verify(app, minted.token), 400, VERIFY_BLACKLISTED);
    expect(await familyRow(adopted)).toBeNull();
  });
});

describe('a login whose account changes', () => {
  it('after deactivateUser: refresh is 401 blacklisted, the access token dies, no new login', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(app, user);
    vi.setSystemTime(t0 + 1_000);

    await deactivateUser(services(), user.id);

    await expect401(await refresh(app, login.refresh), BLACKLISTED);
    expect((await familyRow(claimsOf(login.refresh).fam!))!.revoked_reason).toBe('deactivated');
    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
    await expect401(
      await postJson(app, '/api/token/', { username: user.username, password: user.password }),
      { detail: 'No active account found with the given credentials', code: 'no_active_account' },
    );
  });

  it('an account made inactive without revoking anything cannot refresh: 401 no_active_account', async () => {
    const user = await makeUser(app);
    const login = await obtainPair(app, user);
    await cloudflareStores(env).users.setActive(user.id, false);

    await expect401(await refresh(app, login.refresh), {
      detail: 'No active account found for the given token.',
      code: 'no_active_account',
    });
    expect((await familyRow(claimsOf(login.refresh).fam!))!.revoked_at).toBeNull();
  });

  it('a credential change after the login began makes its refresh token blacklisted', async () => {
    const user = await makeUser(app);
    const t0 = Date.now();
    freezeAt(t0);
    const login = await obtainPair(app, user);
    const family = claimsOf(login.refresh).fam!;

    await cloudflareStores(env).users.markCredentialsChanged(user.id, t0 + 1);
    vi.setSystemTime(t0 + 2);

    await expect401(await refresh(app, login.refresh), BLACKLISTED);
    expect((await familyRow(family))!.current_jti).toBe(claimsOf(login.refresh).jti);

    const fresh = await obtainPair(app, user);
    expect((await refresh(app, fresh.refresh)).status).toBe(200);
  });
});
