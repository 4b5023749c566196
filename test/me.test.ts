import { describe, expect, it } from 'vitest';
import type { Mailer } from '../src/mail/types';
import {
  PASSWORD,
  basic,
  body,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  publicUser,
  uniqueName,
} from './helpers';

// A mail backend: every email change notifies the old address (test/email-change.test.ts).
const mailer: Mailer = { name: 'memory', send: async () => {} };
const app = makeApp({
  settings: { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' },
  mailer,
});

function patch(headers: Record<string, string>, fields: unknown) {
  return call(app, '/api/me/', {
    method: 'PATCH',
    headers: { ...headers, 'Content-Type': 'application/json' },
    body: JSON.stringify(fields),
  });
}

describe('GET /api/me/', () => {
  it('shows the authenticated user (here through BasicAuthentication)', async () => {
    const user = await makeUser(app);
    await expectJson(await me(app, basic(user.username, PASSWORD)), 200, publicUser(user));
  });

  it.each(['GET', 'HEAD', 'OPTIONS', 'PATCH'])(
    'refuses an anonymous %s with 401 and the Basic challenge',
    async (method) => {
      const res = await call(app, '/api/me/', { method });
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('Basic realm="api"');
    },
  );

  it.each(['PUT', 'POST'])('does not allow %s: 405 with Allow', async (method) => {
    const user = await makeUser(app);
    const res = await call(app, '/api/me/', { method, headers: basic(user.username, PASSWORD) });
    await expectJson(res, 405, {
      detail: `Method "${method}" not allowed.`,
      code: 'method_not_allowed',
    });
    expect(res.headers.get('Allow')).toBe('GET, PATCH, DELETE, HEAD, OPTIONS');
  });
});

describe('PATCH /api/me/', () => {
  it('changes the email and answers the updated user', async () => {
    const user = await makeUser(app);
    const res = await patch(basic(user.username, PASSWORD), { email: 'New.Address@EXAMPLE.org' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: user.id,
      username: user.username,
      email: 'New.Address@example.org',
      email_verified: false,
    });
  });

  it('changes the username, after which the new one logs in', async () => {
    const user = await makeUser(app);
    const renamed = uniqueName('renamed');
    const res = await patch(basic(user.username, PASSWORD), { username: renamed });
    expect(await body(res)).toMatchObject({ username: renamed });
    expect((await me(app, basic(renamed, PASSWORD))).status).toBe(200);
    expect((await me(app, basic(user.username, PASSWORD))).status).toBe(401);
  });

  it('lets a user change the case of their own username', async () => {
    const user = await makeUser(app, { username: uniqueName('lower') });
    const upper = user.username.toUpperCase();
    const res = await patch(basic(user.username, PASSWORD), { username: upper });
    await expectJson(res, 200, { ...publicUser(user), username: upper });
    await expectJson(await me(app, basic(upper, PASSWORD)), 200, {
      ...publicUser(user),
      username: upper,
    });
  });

  it('ignores read-only fields', async () => {
    const user = await makeUser(app);
    const res = await patch(basic(user.username, PASSWORD), { id: 999999, is_staff: true });
    expect(await res.json()).toEqual(publicUser(user));
  });

  it('can clear the email', async () => {
    const user = await makeUser(app);
    const res = await patch(basic(user.username, PASSWORD), { email: '' });
    expect(await body(res)).toMatchObject({ email: '' });
  });

  describe('bad input', () => {
    it('refuses a username another account has', async () => {
      const other = await makeUser(app);
      const user = await makeUser(app);
      const res = await patch(basic(user.username, PASSWORD), {
        username: other.username.toUpperCase(),
      });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ username: ['A user with that username already exists.'] });
    });

    it('refuses a username that case-folds to another account’s (STRASSE for straße)', async () => {
      const suffix = Math.random().toString(36).slice(2, 6);
      await makeUser(app, { username: `straße_${suffix}`, email: '' });
      const user = await makeUser(app);
      const res = await patch(basic(user.username, PASSWORD), { username: `STRASSE_${suffix}` });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ username: ['A user with that username already exists.'] });
    });

    it('counts the 150 characters after NFKC normalisation: 150 × ㌖ (900 characters) is refused', async () => {
      const user = await makeUser(app);
      const res = await patch(basic(user.username, PASSWORD), { username: '\u3316'.repeat(150) });
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({
        username: ['Ensure this field has no more than 150 characters.'],
      });
      const after = await me(app, basic(user.username, PASSWORD));
      expect(await body(after)).toMatchObject({ username: user.username });
    });

    it.each([
      [
        { username: 'bad name' },
        {
          username: [
            'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.',
          ],
        },
      ],
      [{ username: '' }, { username: ['This field may not be blank.'] }],
      [{ username: null }, { username: ['This field may not be null.'] }],
      [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
      [{ email: 7 }, { email: ['Enter a valid email address.'] }],
      [{ email: ['a@b.co'] }, { email: ['Not a valid string.'] }],
      [
        { username: 'x'.repeat(151), email: 'y' },
        {
          username: ['Ensure this field has no more than 150 characters.'],
          email: ['Enter a valid email address.'],
        },
      ],
    ])('answers %j with field errors', async (fields, errors) => {
      const user = await makeUser(app);
      const res = await patch(basic(user.username, PASSWORD), fields);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual(errors);
    });

    it('answers malformed JSON with a parse error and changes nothing', async () => {
      const user = await makeUser(app);
      const res = await call(app, '/api/me/', {
        method: 'PATCH',
        headers: { ...basic(user.username, PASSWORD), 'Content-Type': 'application/json' },
        body: '{"email": ',
      });
      expect(res.status).toBe(400);
      expect(await body(res)).toMatchObject({ code: 'parse_error' });
      const after = await me(app, basic(user.username, PASSWORD));
      expect(await body(after)).toMatchObject({ email: user.email });
    });
  });
});
