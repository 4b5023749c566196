/**
 * The revocation services on the real stores (`revokeAllCredentials`,
 * `deactivateUser`) and the KV revocation list: what each writes, and TTLs
 * tied to the credential's lifetime with the 60 s floor (STYLE.md
 * conventions 7 and 8). The logout routes are in jwt-logout.test.ts, storage
 * outages and the per-request storage cost in jwt-storage.test.ts.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { deactivateUser, revokeAllCredentials } from '../src/lib';
import { KV_MIN_EXPIRATION_TTL_SECONDS, kvTtl } from '../src/storage/kv/keys';
import { kvRevocationList } from '../src/storage/kv/revocation-list';
import { bearer, freezeAt, makeApp, makeUser, me, obtainPair } from './helpers';
import {
  ACCESS_BLACKLISTED,
  BLACKLISTED,
  expect401,
  familyOf,
  jtiOf,
  logout,
  refresh,
  services,
  simplejwtToken,
} from './helpers/jwt';
import { recording, sha256Hex, type Recorded } from './helpers/storage';

const app = makeApp();

afterEach(() => {
  vi.useRealTimers();
});

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

/** The KV writes among the recorded calls. */
function puts(calls: Recorded[]): Recorded[] {
  return calls.filter((call) => call.method === 'put');
}

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
    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
    await expect401(await refresh(app, login.refresh), BLACKLISTED);
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
    await expect401(await me(app, bearer(login.access)), ACCESS_BLACKLISTED);
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
    const { token, jti } = await simplejwtToken('access', user.id, 5);

    expect((await logout(spied, token)).status).toBe(200);

    const key = `jti:${await sha256Hex(jti)}`;
    expect(puts(calls)).toEqual([{ method: 'put', args: [key, '1', { expirationTtl: 60 }] }]);
    expect(await env.KV.get(key)).toBe('1');
    await expect401(await me(app, bearer(token)), ACCESS_BLACKLISTED);
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
    expect(puts(calls)).toEqual([
      { method: 'put', args: [familyKey, '1', { expirationTtl: 300 }] },
      // exp is 300 s after t0; 2.25 s of it have passed at logout.
      { method: 'put', args: [tokenKey, '1', { expirationTtl: 298 }] },
    ]);
    expect(await env.KV.get(familyKey)).toBe('1');
    expect(await env.KV.get(tokenKey)).toBe('1');
  });

  it.each([
    [{ ACCESS_TOKEN_LIFETIME: '300', SESSION_COOKIE_AGE: '120' }, 300],
    [{ ACCESS_TOKEN_LIFETIME: '300', SESSION_COOKIE_AGE: '1d' }, 86_400],
    [{ ACCESS_TOKEN_LIFETIME: '10', SESSION_COOKIE_AGE: '60' }, 60],
  ])(
    'the revoked-before marker lives as long as the longest credential checked against it, floored at 60 s: %j → %i s',
    async (settings, ttl) => {
      const user = await makeUser(app);
      const calls: Recorded[] = [];
      const deps = services(settings, recording(env.KV, calls));
      const at = await revokeAllCredentials(deps, user.id);
      expect(puts(calls)).toEqual([
        {
          method: 'put',
          args: [`user:${user.id}`, JSON.stringify({ revokedBefore: at }), { expirationTtl: ttl }],
        },
      ]);
    },
  );
});
