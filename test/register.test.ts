/**
 * `POST /api/auth/register/`: the account it creates, DRF's field errors for
 * every bad input (with Django's texts for usernames, emails and password
 * validators), hostile input kept as data, and usernames normalised (NFKC,
 * full case folding) so that look-alike spellings are one account.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import {
  PASSWORD,
  basic,
  bearer,
  body,
  countingHasher,
  expectJson,
  makeApp,
  makeUser,
  me,
  postJson,
  publicUser,
  uniqueName,
} from './helpers';

const app = makeApp();
const REGISTER = '/api/auth/register/';
const INVALID_USERNAME =
  'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';

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
      email_verified: false,
    });
    expect(Object.keys(user)).toEqual(['id', 'username', 'email', 'email_verified']);
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
    it.each([
      ['missing', {}, 'This field is required.'],
      ['blank', { username: '   ', password1: '', password2: '' }, 'This field may not be blank.'],
    ])(
      'refuses %s username and passwords, each field with its error',
      async (_case, fields, message) => {
        expect(await register(fields)).toEqual({
          status: 400,
          body: { username: [message], password1: [message], password2: [message] },
        });
      },
    );

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

    it.each([
      ['passwords that do not match', `${PASSWORD}!`],
      ['a password with surrounding spaces (never trimmed: they are part of it)', ` ${PASSWORD} `],
    ])('refuses %s in password1 and password2', async (_case, password1) => {
      const result = await register({ username: uniqueName(), password1, password2: PASSWORD });
      expect(result).toEqual({
        status: 400,
        body: { non_field_errors: ["The two password fields didn't match."] },
      });
    });

    it('refuses a password over the maximum length without hashing it', async () => {
      const counting = countingHasher();
      const counted = makeApp({ hasher: counting });
      const res = await postJson(counted, REGISTER, {
        username: uniqueName(),
        password: 'x'.repeat(1025),
      });
      await expectJson(res, 400, {
        password: ['Ensure this field has no more than 1024 characters.'],
      });
      expect(counting.count).toBe(0);
    });

    /** A registration whose password the validators refuse, and their messages. */
    type RefusedPassword = [string, (username: string) => Record<string, string>, string[]];

    it.each<RefusedPassword>([
      [
        'every failing validator at once',
        () => ({ password: '1234567' }),
        [
          'This password is too short. It must contain at least 8 characters.',
          'This password is too common.',
          'This password is entirely numeric.',
        ],
      ],
      [
        'a password too similar to the username',
        (username) => ({ password: `${username}1` }),
        ['The password is too similar to the username.'],
      ],
      [
        "a breached password that is not in Django's list (qwertyuiopas)",
        () => ({ password: 'qwertyuiopas' }),
        ['This password is too common.'],
      ],
      [
        'a breached password in another case (QwertyUiopAS)',
        () => ({ password: 'QwertyUiopAS' }),
        ['This password is too common.'],
      ],
      [
        "a breached password that is not in Django's list (Turbonium)",
        () => ({ password: 'Turbonium' }),
        ['This password is too common.'],
      ],
      [
        "a password built on the service's own name",
        () => ({ password: 'edgeauth2026' }),
        ['The password is too similar to "edgeauth", a word tied to this site.'],
      ],
      [
        'a password built on the local part of the email',
        () => ({ email: 'marguerite.duras@example.org', password: 'Marguerite-writes-1914' }),
        ['The password is too similar to the email address.'],
      ],
    ])('refuses %s, with Django’s texts', async (_case, fields, messages) => {
      const username = uniqueName('marmalade');
      expect(await register({ username, ...fields(username) })).toEqual({
        status: 400,
        body: { password: messages },
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
      ['has space', INVALID_USERNAME],
      ['slash/name', INVALID_USERNAME],
      ["x'; DROP TABLE users;--", INVALID_USERNAME],
      ['semi;colon', INVALID_USERNAME],
      ['tab\tname', INVALID_USERNAME],
      ['emoji😀', INVALID_USERNAME],
      ['a'.repeat(151), 'Ensure this field has no more than 150 characters.'],
      ['nul\u0000l', 'Null characters are not allowed.'],
    ])('refuses the username %j with Django’s text', async (username, message) => {
      const result = await register({ username, password: PASSWORD });
      expect(result).toEqual({ status: 400, body: { username: [message] } });
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

    it('answers SQL-ish input in every field with field errors, and the accounts already there keep working', async () => {
      const existing = await makeUser(app);
      const sqlish = "'); DELETE FROM users; --";
      expect(await register({ username: sqlish, email: sqlish, password: sqlish })).toEqual({
        status: 400,
        body: {
          username: [INVALID_USERNAME],
          email: ['Enter a valid email address.'],
          password: ['The password is too similar to the username.'],
        },
      });
      const login = await postJson(app, '/api/token/', {
        username: existing.username,
        password: existing.password,
      });
      expect(login.status).toBe(200);
    });

    it('stores SQL-ish text that is valid as data: the account shows it unchanged and logs in with it', async () => {
      const username = uniqueName('bobby');
      const email = "x'or'1'='1--@example.com";
      const password = "'); DELETE FROM users; --";
      const created = await register({ username, email, password });
      expect(created).toEqual({
        status: 201,
        body: { id: expect.any(Number), username, email, email_verified: false },
      });

      const login = await postJson(app, '/api/token/', { username, password });
      expect(login.status).toBe(200);
      const { access } = (await login.json()) as { access: string };
      await expectJson(
        await me(app, bearer(access)),
        200,
        publicUser({ id: created.body.id as number, username, email }),
      );
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
      const first = await register({ username: `cafe\u0301${suffix}`, password: PASSWORD });
      expect(first.status).toBe(201);
      expect(first.body.username).toBe(`café${suffix}`);
      const second = await register({ username: `café${suffix}`, password: PASSWORD });
      expect(second).toEqual({
        status: 400,
        body: { username: ['A user with that username already exists.'] },
      });
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
