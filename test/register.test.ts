import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { PASSWORD, basic, body, makeApp, makeUser, me, postJson, uniqueName } from './helpers';

const app = makeApp();
const REGISTER = '/api/auth/register/';

async function register(fields: Record<string, unknown>) {
  const res = await postJson(app, REGISTER, fields);
  return { status: res.status, body: await body(res) };
}

describe('POST /api/auth/register/', () => {
  it('creates an account and answers 201 with the public user', async () => {
    const username = uniqueName('Alice');
    const { status, body: user } = await register({
      username,
      email: `${username}@Example.COM`,
      password1: PASSWORD,
      password2: PASSWORD,
    });
    expect(status).toBe(201);
    expect(user).toEqual({
      id: expect.any(Number),
      username,
      email: `${username}@example.com`,
    });
    expect(Object.keys(user)).toEqual(['id', 'username', 'email']);
  });

  it('stores only an argon2id hash of the password', async () => {
    const { body: user } = await register({ username: uniqueName(), password: PASSWORD });
    const row = await env.DB.prepare('SELECT password FROM users WHERE id = ?')
      .bind(user.id)
      .first<{ password: string }>();
    expect(row!.password).toMatch(
      /^\$argon2id\$v=19\$m=64,t=1,p=1\$[A-Za-z0-9+/]+\$[A-Za-z0-9+/]+$/,
    );
    expect(row!.password).not.toContain(PASSWORD);
  });

  it('accepts an account without an email', async () => {
    const { status, body: user } = await register({ username: uniqueName(), password: PASSWORD });
    expect(status).toBe(201);
    expect(user.email).toBe('');
  });

  describe('bad input', () => {
    it('requires a username and both passwords', async () => {
      expect(await register({})).toEqual({
        status: 400,
        body: {
          username: ['This field is required.'],
          password1: ['This field is required.'],
          password2: ['This field is required.'],
        },
      });
    });

    it('refuses blank fields', async () => {
      const { status, body: errors } = await register({
        username: '   ',
        password1: '',
        password2: '',
      });
      expect(status).toBe(400);
      expect(errors).toEqual({
        username: ['This field may not be blank.'],
        password1: ['This field may not be blank.'],
        password2: ['This field may not be blank.'],
      });
    });

    it.each([
      [{ username: null }, 'This field may not be null.'],
      [{ username: true }, 'Not a valid string.'],
      [{ username: ['alice'] }, 'Not a valid string.'],
      [{ username: { name: 'alice' } }, 'Not a valid string.'],
    ])('refuses a username of the wrong type: %j', async (fields, message) => {
      const result = await register({ ...fields, password: PASSWORD });
      expect(result).toEqual({ status: 400, body: { username: [message] } });
    });

    it('takes a number as a username, as DRF does', async () => {
      const username = String(Date.now());
      const { status, body: user } = await register({
        username: Number(username),
        password: PASSWORD,
      });
      expect(status).toBe(201);
      expect(user.username).toBe(username);
    });

    it('refuses passwords that do not match', async () => {
      const result = await register({
        username: uniqueName(),
        password1: PASSWORD,
        password2: `${PASSWORD}!`,
      });
      expect(result).toEqual({
        status: 400,
        body: { non_field_errors: ["The two password fields didn't match."] },
      });
    });

    it('never trims a password: surrounding spaces are part of it', async () => {
      const result = await register({
        username: uniqueName(),
        password1: ` ${PASSWORD} `,
        password2: PASSWORD,
      });
      expect(result.body).toEqual({ non_field_errors: ["The two password fields didn't match."] });
    });

    it('refuses a password over the maximum length without hashing it', async () => {
      const result = await register({ username: uniqueName(), password: 'x'.repeat(1025) });
      expect(result).toEqual({
        status: 400,
        body: { password: ['Ensure this field has no more than 1024 characters.'] },
      });
    });

    it('reports every failing password validator with Django texts', async () => {
      const result = await register({ username: uniqueName(), password: '1234567' });
      expect(result).toEqual({
        status: 400,
        body: {
          password: [
            'This password is too short. It must contain at least 8 characters.',
            'This password is too common.',
            'This password is entirely numeric.',
          ],
        },
      });
    });

    it('refuses a password too similar to the username', async () => {
      const username = uniqueName('marmalade');
      const result = await register({ username, password: `${username}1` });
      expect(result.body).toEqual({ password: ['The password is too similar to the username.'] });
    });

    it("refuses a breached password that is not in Django's list, with Django's message", async () => {
      for (const password of ['qwertyuiopas', 'QwertyUiopAS', 'Turbonium']) {
        expect(await register({ username: uniqueName(), password })).toEqual({
          status: 400,
          body: { password: ['This password is too common.'] },
        });
      }
    });

    it("refuses a password built on the service's own name", async () => {
      expect(await register({ username: uniqueName(), password: 'edgeauth2026' })).toEqual({
        status: 400,
        body: {
          password: ['The password is too similar to "edgeauth", a word tied to this site.'],
        },
      });
    });

    it('refuses a password built on the local part of the email', async () => {
      const result = await register({
        username: uniqueName(),
        email: 'marguerite.duras@example.org',
        password: 'Marguerite-writes-1914',
      });
      expect(result).toEqual({
        status: 400,
        body: { password: ['The password is too similar to the email address.'] },
      });
    });

    it('refuses a username already taken, whatever its case', async () => {
      const username = uniqueName('Taken');
      await register({ username, password: PASSWORD });
      const result = await register({ username: username.toUpperCase(), password: PASSWORD });
      expect(result).toEqual({
        status: 400,
        body: { username: ['A user with that username already exists.'] },
      });
    });

    it('answers one of many simultaneous registrations of a name with 201, the rest with 400', async () => {
      const username = uniqueName('race');
      const results = await Promise.all(
        Array.from({ length: 5 }, () => register({ username, password: PASSWORD })),
      );
      const statuses = results.map((result) => result.status).sort();
      expect(statuses).toEqual([201, 400, 400, 400, 400]);
    });

    it.each([
      'has space',
      'slash/name',
      "x'; DROP TABLE users;--",
      'semi;colon',
      'tab\tname',
      'emoji😀',
    ])('refuses the username %j with Django text', async (username) => {
      const result = await register({ username, password: PASSWORD });
      expect(result).toEqual({
        status: 400,
        body: {
          username: [
            'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
          ],
        },
      });
    });

    it('refuses a username over 150 characters', async () => {
      const result = await register({ username: 'a'.repeat(151), password: PASSWORD });
      expect(result.body).toEqual({
        username: ['Ensure this field has no more than 150 characters.'],
      });
    });

    it('refuses a null character', async () => {
      const result = await register({ username: 'nul\u0000l', password: PASSWORD });
      expect(result.body).toEqual({ username: ['Null characters are not allowed.'] });
    });

    it.each([
      'not-an-email',
      'a@b',
      'a@@example.com',
      "x' OR 1=1 --@example.com",
      'a b@example.com',
    ])('refuses the email %j', async (email) => {
      const result = await register({ username: uniqueName(), email, password: PASSWORD });
      expect(result).toEqual({ status: 400, body: { email: ['Enter a valid email address.'] } });
    });

    it('keeps the database intact after SQL-ish input in every field', async () => {
      const sqlish = "'); DELETE FROM users; --";
      await register({ username: sqlish, email: sqlish, password: sqlish });
      const user = await makeUser(app);
      expect(user.id).toBeGreaterThan(0);
      const count = await env.DB.prepare('SELECT count(*) AS n FROM users').first<{ n: number }>();
      expect(count!.n).toBeGreaterThan(0);
    });
  });

  describe('unicode usernames', () => {
    it.each(['Zoë', 'Łukasz', '用户', 'Владимир', 'δοκιμή'])('accepts %s', async (name) => {
      const username = `${name}${Math.random().toString(36).slice(2, 6)}`;
      const result = await register({ username, password: PASSWORD });
      expect(result.status).toBe(201);
      expect(result.body.username).toBe(username);
    });

    it('stores the NFKC form, so look-alike spellings are one username', async () => {
      const suffix = Math.random().toString(36).slice(2, 6);
      const first = await register({ username: `ｆｕｌｌｗｉｄｔｈ${suffix}`, password: PASSWORD });
      expect(first.body.username).toBe(`fullwidth${suffix}`);
      const second = await register({ username: `FULLWIDTH${suffix}`, password: PASSWORD });
      expect(second.body).toEqual({ username: ['A user with that username already exists.'] });
    });

    it('counts the 150 characters after NFKC normalisation: 150 × ㌖ (900 characters) is refused', async () => {
      const result = await register({ username: '\u3316'.repeat(150), password: PASSWORD });
      expect(result).toEqual({
        status: 400,
        body: { username: ['Ensure this field has no more than 150 characters.'] },
      });
      const stored = await env.DB.prepare(
        'SELECT count(*) AS n FROM users WHERE length(username) > 150',
      ).first<{ n: number }>();
      expect(stored!.n).toBe(0);
    });

    it('accepts 25 × ㌖ (150 characters once normalised) and refuses 26', async () => {
      const fits = await register({ username: '\u3316'.repeat(25), password: PASSWORD });
      expect(fits.status).toBe(201);
      expect(fits.body.username).toBe('キロメートル'.repeat(25));
      const over = await register({ username: `${'\u3316'.repeat(25)}x`, password: PASSWORD });
      expect(over.body).toEqual({
        username: ['Ensure this field has no more than 150 characters.'],
      });
    });

    it.each([
      ['οδος', 'οδοσ'],
      ['straße', 'STRASSE'],
      ['ﬁne', 'FINE'],
    ])('treats %s and %s as one username under full case folding', async (first, second) => {
      const suffix = Math.random().toString(36).slice(2, 6);
      expect((await register({ username: `${first}_${suffix}`, password: PASSWORD })).status).toBe(
        201,
      );
      const taken = await register({ username: `${second}_${suffix}`, password: PASSWORD });
      expect(taken).toEqual({
        status: 400,
        body: { username: ['A user with that username already exists.'] },
      });
    });

    it('logs in as ΟΔΟΣ to the one account registered as οδος', async () => {
      const basicApp = makeApp({
        settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' },
      });
      const suffix = Math.random().toString(36).slice(2, 6);
      const { body: user } = await register({ username: `οδος_${suffix}`, password: PASSWORD });
      for (const spelling of [`ΟΔΟΣ_${suffix.toUpperCase()}`, `οδοσ_${suffix}`, `Οδος_${suffix}`]) {
        const res = await me(basicApp, basic(spelling, PASSWORD));
        expect(res.status).toBe(200);
        expect(await res.json()).toMatchObject({ id: user.id, username: `οδος_${suffix}` });
      }
    });

    it('treats composed and decomposed accents as the same name', async () => {
      const suffix = Math.random().toString(36).slice(2, 6);
      await register({ username: `cafe\u0301${suffix}`, password: PASSWORD });
      const second = await register({ username: `café${suffix}`, password: PASSWORD });
      expect(second.status).toBe(400);
    });
  });

  it('is closed when REGISTRATION_OPEN is false', async () => {
    const closed = makeApp({ settings: { REGISTRATION_OPEN: 'false' } });
    const res = await postJson(closed, REGISTER, { username: uniqueName(), password: PASSWORD });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      detail: 'Registration is closed.',
      code: 'permission_denied',
    });
  });
});
