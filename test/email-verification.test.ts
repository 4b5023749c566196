/**
 * Email verification (allauth's `ACCOUNT_EMAIL_VERIFICATION`, dj-rest-auth's
 * `registration/verify-email/` and `resend-email/`): the settings, the mail
 * registration sends, keys (digests only, single use, expiry on a frozen
 * clock), and a resend that tells nothing about the address.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import {
  call,
  configErrorOf,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  basic,
  postJson,
  publicUser,
  testVars,
  uniqueName,
  unreachableD1,
  UNAVAILABLE,
} from './helpers';
import {
  NOT_FOUND,
  OK,
  devApp,
  digestOf,
  keyIn,
  latestKey,
  mailsTo,
  resendEmail,
  verifiedUser,
  verifyEmail,
} from './helpers/mail';

const VERIFY = '/api/auth/registration/verify-email/';
const DAY = 86_400_000;
const optional = devApp({
  ACCOUNT_EMAIL_VERIFICATION: 'optional',
  DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication',
});

afterEach(() => vi.restoreAllMocks());

function settingError(vars: Record<string, unknown>) {
  return configErrorOf(() => parseConfig(testVars(vars), { warn: () => {} }));
}

describe('the settings', () => {
  it('default to no verification and keys valid for 3 days, as allauth’s', () => {
    const config = parseConfig(testVars());
    expect(config.ACCOUNT_EMAIL_VERIFICATION).toBe('none');
    expect(config.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS).toBe(3);
    expect(config.ACCOUNT_EMAIL_CONFIRMATION_URL).toBeUndefined();
  });

  it.each([
    [{ ACCOUNT_EMAIL_VERIFICATION: 'required' }, 'ACCOUNT_EMAIL_VERIFICATION'],
    [{ ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS: '0' }, 'ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS'],
    [
      { ACCOUNT_EMAIL_CONFIRMATION_URL: 'https://app.example.com/verify/' },
      'ACCOUNT_EMAIL_CONFIRMATION_URL',
    ],
    [{ ACCOUNT_EMAIL_CONFIRMATION_URL: '/a/{key}/{key}' }, 'ACCOUNT_EMAIL_CONFIRMATION_URL'],
    [{ ACCOUNT_EMAIL_CONFIRMATION_URL: 'javascript:x({key})' }, 'ACCOUNT_EMAIL_CONFIRMATION_URL'],
    [{ ACCOUNT_EMAIL_CONFIRMATION_URL: '//evil.example/{key}' }, 'ACCOUNT_EMAIL_CONFIRMATION_URL'],
  ])('refuses %j at start-up, naming the setting', (vars, setting) => {
    expect(settingError(vars).setting).toBe(setting);
  });
});

describe('registration', () => {
  it('sends nothing with ACCOUNT_EMAIL_VERIFICATION=none, and shows the address unverified', async () => {
    const app = devApp();
    const user = await makeUser(app);
    expect(user).toMatchObject({ email_verified: false });
    expect(await mailsTo(app, user.email)).toEqual([]);
  });

  it('with optional, mails a link to this Worker’s confirm page, keeping only the key’s digest', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const user = await makeUser(optional);
    const [mail, ...others] = await mailsTo(optional, user.email);
    expect(others).toEqual([]);
    expect(mail!.subject).toBe('[edgeauth] Confirm your email address');
    const key = keyIn(mail!);
    expect(key).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail!.text).toContain(`http://localhost/api-auth/confirm-email/?key=${key}`);
    expect(mail!.html).toContain(`href="http://localhost/api-auth/confirm-email/?key=${key}"`);
    expect(mail!.text).toContain('The link works once, for 3 days.');
    const rows = await env.DB.prepare('SELECT * FROM email_confirmations WHERE user_id = ?')
      .bind(user.id)
      .all<Record<string, unknown>>();
    expect(rows.results).toEqual([
      expect.objectContaining({
        digest: await digestOf(key),
        purpose: 'verify',
        email: user.email,
      }),
    ]);
    expect(JSON.stringify(rows.results)).not.toContain(key);
    const logged = log.mock.calls.flat().join('\n');
    expect(logged).toContain('email_verification_sent');
    expect(logged).not.toContain(key);
  });

  it('links to ACCOUNT_EMAIL_CONFIRMATION_URL, a frontend URL or a path on this site', async () => {
    const frontend = devApp({
      ACCOUNT_EMAIL_VERIFICATION: 'optional',
      ACCOUNT_EMAIL_CONFIRMATION_URL: 'https://app.example.com/verify/{key}/',
    });
    const a = await makeUser(frontend);
    const [mailA] = await mailsTo(frontend, a.email);
    expect(mailA!.text).toMatch(/https:\/\/app\.example\.com\/verify\/[A-Za-z0-9_-]{43}\//);
    const path = devApp({
      ACCOUNT_EMAIL_VERIFICATION: 'optional',
      ACCOUNT_EMAIL_CONFIRMATION_URL: '/welcome/?k={key}',
    });
    const b = await makeUser(path);
    const [mailB] = await mailsTo(path, b.email);
    const key = /k=([A-Za-z0-9_-]{43})/.exec(mailB!.text)![1]!;
    expect(mailB!.text).toContain(`http://localhost/welcome/?k=${key}`);
    await expectJson(await verifyEmail(path, key), 200, OK);
  });

  it('with optional and no address, creates the account and sends nothing', async () => {
    const username = uniqueName();
    const res = await postJson(optional, '/api/auth/register/', {
      username,
      email: '',
      password: 'correct horse battery staple',
    });
    expect(res.status).toBe(201);
    expect(await mailsTo(optional, '')).toEqual([]);
  });

  it.each([
    [{}, { email: ['This field is required.'] }],
    [{ email: '' }, { email: ['This field may not be blank.'] }],
    [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
  ])('with mandatory, needs an address: %j → 400 %j', async (fields, errors) => {
    const app = devApp({ ACCOUNT_EMAIL_VERIFICATION: 'mandatory' });
    const res = await postJson(app, '/api/auth/register/', {
      username: uniqueName(),
      password: 'correct horse battery staple',
      ...fields,
    });
    await expectJson(res, 400, errors);
  });

  it('in production without a mail backend, refuses to register (503) and creates no account', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = makeApp({ settings: { ACCOUNT_EMAIL_VERIFICATION: 'optional' } });
    const username = uniqueName();
    const res = await postJson(app, '/api/auth/register/', {
      username,
      email: `${username}@example.com`,
      password: 'correct horse battery staple',
    });
    await expectJson(res, 503, {
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    const row = await env.DB.prepare('SELECT id FROM users WHERE username = ?')
      .bind(username)
      .first();
    expect(row).toBeNull();
  });
});

describe('POST /api/auth/registration/verify-email/', () => {
  it('confirms the address with the mailed key: {"detail": "ok"}, and the user shows it', async () => {
    const user = await makeUser(optional);
    await expectJson(await verifyEmail(optional, await latestKey(optional, user.email)), 200, OK);
    const res = await me(optional, basic(user.username, user.password));
    await expectJson(res, 200, publicUser({ ...user, email_verified: true }));
  });

  it('takes a key once: the second use is dj-rest-auth’s 404', async () => {
    const user = await makeUser(optional);
    const key = await latestKey(optional, user.email);
    expect((await verifyEmail(optional, key)).status).toBe(200);
    await expectJson(await verifyEmail(optional, key), 404, NOT_FOUND);
  });

  it('takes a form-encoded key too', async () => {
    const user = await makeUser(optional);
    const key = await latestKey(optional, user.email);
    const res = await call(optional, VERIFY, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ key }).toString(),
    });
    await expectJson(res, 200, OK);
  });

  it.each([3, 1])(
    'refuses a key ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS (%i) after it was sent (frozen clock)',
    async (days) => {
      let now = Date.now() + 10 * 365 * DAY;
      const sent = now;
      const app = devApp(
        { ACCOUNT_EMAIL_VERIFICATION: 'optional', ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS: days },
        { clock: { now: () => now } },
      );
      const early = await makeUser(app);
      const late = await makeUser(app);
      now = sent + days * DAY - 1;
      await expectJson(await verifyEmail(app, await latestKey(app, early.email)), 200, OK);
      now = sent + days * DAY;
      await expectJson(await verifyEmail(app, await latestKey(app, late.email)), 404, NOT_FOUND);
    },
  );

  it.each([
    [{}, { key: ['This field is required.'] }],
    [{ key: '' }, { key: ['This field may not be blank.'] }],
    [{ key: null }, { key: ['This field may not be null.'] }],
    [{ key: ['k'] }, { key: ['Not a valid string.'] }],
  ])('answers %j with 400 %j', async (fields, errors) => {
    await expectJson(await postJson(optional, VERIFY, fields), 400, errors);
  });

  it.each([
    ['a short string', 'x'],
    ['a well-formed key never issued', 'A'.repeat(43)],
    ['5,000 characters', 'A'.repeat(5000)],
    ['a number', 42],
  ])('answers a key that is not one (%s) with 404', async (_label, key) => {
    await expectJson(await verifyEmail(optional, key), 404, NOT_FOUND);
  });

  it('answers malformed JSON with a parse error, and GET with 405', async () => {
    const res = await call(optional, VERIFY, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: '{"key": ',
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'parse_error' });
    const get = await call(optional, VERIFY);
    await expectJson(get, 405, { detail: 'Method "GET" not allowed.', code: 'method_not_allowed' });
    expect(get.headers.get('Allow')).toBe('POST, OPTIONS');
  });

  it('records email_verified, without the key', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const user = await makeUser(optional);
    const key = await latestKey(optional, user.email);
    await verifyEmail(optional, key);
    const lines = log.mock.calls.flat().map(String);
    const event = lines.map((line) => JSON.parse(line.startsWith('{') ? line : '{}'));
    expect(event).toContainEqual(
      expect.objectContaining({ edgeauth_event: 'email_verified', userId: user.id }),
    );
    expect(lines.join('\n')).not.toContain(key);
  });

  it('fails closed when D1 cannot be reached: 503, never "ok"', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = devApp(
      { ACCOUNT_EMAIL_VERIFICATION: 'optional' },
      { bindings: { DB: unreachableD1() } },
    );
    await expectJson(await verifyEmail(down, 'A'.repeat(43)), 503, UNAVAILABLE);
  });

  it('does not confirm an address the account has left since the key was sent', async () => {
    const user = await makeUser(optional);
    const key = await latestKey(optional, user.email);
    const none = devApp({ DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' });
    const changed = await call(none, '/api/me/', {
      method: 'PATCH',
      headers: { ...basic(user.username, user.password), 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `moved-${user.email}` }),
    });
    expect(changed.status).toBe(200);
    await expectJson(await verifyEmail(optional, key), 404, NOT_FOUND);
    const res = await me(optional, basic(user.username, user.password));
    expect(await res.json()).toMatchObject({ email_verified: false });
  });
});

describe('POST /api/auth/registration/resend-email/', () => {
  it('sends a new key and voids the older one', async () => {
    const user = await makeUser(optional);
    const first = await latestKey(optional, user.email);
    const [local, domain] = user.email.split('@') as [string, string];
    // The local part is case-sensitive, as Django keeps it: an upper-cased one is another address.
    await expectJson(await resendEmail(optional, `${local.toUpperCase()}@${domain}`), 200, OK);
    expect(await mailsTo(optional, user.email)).toHaveLength(1);
    // The domain is not (Django's normalize_email).
    await expectJson(await resendEmail(optional, `${local}@${domain.toUpperCase()}`), 200, OK);
    const mails = await mailsTo(optional, user.email);
    expect(mails).toHaveLength(2);
    const second = keyIn(mails[0]!);
    expect(second).not.toBe(first);
    await expectJson(await verifyEmail(optional, first), 404, NOT_FOUND);
    await expectJson(await verifyEmail(optional, second), 200, OK);
  });

  it('answers the same for an unknown, a verified and an inactive address, and mails none of them', async () => {
    const verified = await verifiedUser(optional);
    const inactive = await makeUser(optional);
    await markInactive(inactive);
    const unknown = `${uniqueName()}@example.com`;
    for (const email of [unknown, verified.email, inactive.email]) {
      const before = (await mailsTo(optional, email)).length;
      await expectJson(await resendEmail(optional, email), 200, OK);
      expect(await mailsTo(optional, email)).toHaveLength(before);
    }
  });

  it('does the lookup and the sending after the response', async () => {
    const user = await makeUser(optional);
    const before = (await mailsTo(optional, user.email)).length;
    const ctx = createExecutionContext();
    const request = new Request(`http://localhost/api/auth/registration/resend-email/`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: user.email }),
    });
    const res = await optional.fetch(request, env, ctx);
    await expectJson(res, 200, OK);
    expect(await mailsTo(optional, user.email)).toHaveLength(before);
    await waitOnExecutionContext(ctx);
    expect(await mailsTo(optional, user.email)).toHaveLength(before + 1);
  });

  it('answers "ok" even when D1 cannot be reached, since its work comes after the answer; the failure is logged', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const down = devApp(
      { ACCOUNT_EMAIL_VERIFICATION: 'optional' },
      { bindings: { DB: unreachableD1() } },
    );
    await expectJson(await resendEmail(down, `${uniqueName()}@example.com`), 200, OK);
    expect(error.mock.calls.flat().join(' ')).toContain('verification mail failed');
  });

  it.each([
    [{}, { email: ['This field is required.'] }],
    [{ email: '' }, { email: ['This field may not be blank.'] }],
    [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
    [{ email: null }, { email: ['This field may not be null.'] }],
    [
      { email: `${'a'.repeat(250)}@x.co` },
      { email: ['Ensure this field has no more than 254 characters.'] },
    ],
  ])('answers %j with 400 %j', async (fields, errors) => {
    const res = await postJson(optional, '/api/auth/registration/resend-email/', fields);
    await expectJson(res, 400, errors);
  });

  it('in production without a mail backend, answers 503 for every address alike', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = makeApp();
    const user = await makeUser(app);
    for (const email of [user.email, `${uniqueName()}@example.com`]) {
      const res = await resendEmail(app, email);
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ code: 'service_unavailable' });
    }
  });
});
