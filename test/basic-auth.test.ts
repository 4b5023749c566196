import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import {
  NOT_PROVIDED,
  PASSWORD,
  basic,
  call,
  countingHasher,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  publicUser,
  uniqueName,
  unreachableD1,
} from './helpers';
import { createPasswordHasher } from '../src/crypto/password';
import { d1UserStore } from '../src/storage/d1/users';
import { drizzle } from 'drizzle-orm/d1';

const settings = { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' };
const app = makeApp({ settings });

async function expectFailure(res: Response, detail: string) {
  expect(res.status).toBe(401);
  expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
  expect(await res.json()).toEqual({ detail, code: 'authentication_failed' });
}

describe('BasicAuthentication', () => {
  it('matches the username case-insensitively and the scheme in any case', async () => {
    const user = await makeUser(app, { username: uniqueName('Mixed') });
    const header = basic(user.username.toUpperCase(), PASSWORD).Authorization!;
    const res = await me(app, { Authorization: header.replace('Basic', 'bAsIc') });
    await expectJson(res, 200, publicUser(user));
  });

  it('accepts a password containing colons (only the first colon separates)', async () => {
    const password = 'pass:with:colons:and:words';
    const user = await makeUser(app, { password });
    expect((await me(app, basic(user.username, password))).status).toBe(200);
  });

  it('authenticates a unicode password byte for byte', async () => {
    const password = 'pässwörd wîth ünïcode ✓';
    const user = await makeUser(app, { password });
    expect((await me(app, basic(user.username, password))).status).toBe(200);
    expect((await me(app, basic(user.username, password.normalize('NFD')))).status).toBe(401);
  });

  it('answers no credentials with 401 and the Basic challenge', async () => {
    const res = await me(app);
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
    expect(await res.json()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it.each(['Bearer abc', 'Token abc', '', '   '])(
    'ignores the Authorization header %j: no credentials, 401 with the Basic challenge',
    async (header) => {
      const res = await me(app, { Authorization: header });
      expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
      await expectJson(res, 401, NOT_PROVIDED);
    },
  );

  it('gives the same answer for a wrong password, an unknown user and an inactive user', async () => {
    const user = await makeUser(app);
    await markInactive(user);
    const active = await makeUser(app);
    await expectFailure(
      await me(app, basic(active.username, 'wrong password')),
      'Invalid username/password.',
    );
    await expectFailure(
      await me(app, basic(uniqueName('ghost'), PASSWORD)),
      'Invalid username/password.',
    );
    await expectFailure(
      await me(app, basic(user.username, PASSWORD)),
      'Invalid username/password.',
    );
  });

  it.each([
    ['Basic', 'Invalid basic header. No credentials provided.'],
    ['Basic abc def', 'Invalid basic header. Credentials string should not contain spaces.'],
    ['Basic !!!notbase64', 'Invalid basic header. Credentials not correctly base64 encoded.'],
    ['Basic abcde', 'Invalid basic header. Credentials not correctly base64 encoded.'],
  ])('answers the header %j with DRF text', async (header, detail) => {
    await expectFailure(await me(app, { Authorization: header }), detail);
  });

  it('fails even on a route anyone may use (authentication is eager)', async () => {
    const res = await call(app, '/api/auth/register/', {
      method: 'POST',
      headers: { ...basic('nobody', 'wrong'), 'Content-Type': 'application/json' },
      body: '{}',
    });
    await expectFailure(res, 'Invalid username/password.');
  });

  it('refuses an over-long password without hashing it', async () => {
    const counting = countingHasher();
    const counted = makeApp({ settings, hasher: counting });
    const user = await makeUser(counted);
    counting.count = 0;
    await expectFailure(
      await me(counted, basic(user.username, 'x'.repeat(1025))),
      'Invalid username/password.',
    );
    expect(counting.count).toBe(0);
  });

  it('fails closed with 503 when D1 is unreachable, even where anonymous users are allowed', async () => {
    const log = vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = makeApp({ settings, bindings: { DB: unreachableD1() } });
    const res = await call(down, '/api/auth/register/', {
      method: 'POST',
      headers: { ...basic('alice', PASSWORD), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The authentication service is temporarily unavailable. Try again later.',
      code: 'service_unavailable',
    });
    const logged = log.mock.calls.flat().join('\n');
    expect(logged).toMatch(/storage unavailable: d1/);
    expect(logged).not.toContain(PASSWORD);
    log.mockRestore();
  });
});

describe('password re-hash on login', () => {
  it('replaces a hash made with older parameters after a successful login', async () => {
    const username = uniqueName('legacy');
    const store = d1UserStore(drizzle(env.DB));
    const old = createPasswordHasher({ memoryKiB: 32, iterations: 1, parallelism: 1 });
    const created = await store.create(
      { username, email: '', passwordHash: await old.hash(PASSWORD) },
      Date.now(),
    );

    expect((await me(app, basic(username, 'not the password'))).status).toBe(401);
    expect((await store.findById(created.id))!.passwordHash).toContain('m=32,t=1,p=1');

    expect((await me(app, basic(username, PASSWORD))).status).toBe(200);
    const upgraded = (await store.findById(created.id))!.passwordHash;
    expect(upgraded).toMatch(/^\$argon2id\$v=19\$m=64,t=1,p=1\$/);
    expect((await me(app, basic(username, PASSWORD))).status).toBe(200);
  });
});
