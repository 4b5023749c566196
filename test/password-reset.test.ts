/**
 * dj-rest-auth's password reset (`POST /api/auth/password/reset/` and
 * `.../confirm/`): the mail and its link, the same answer (and no storage
 * work before it) for every address, every bad input of the confirm, and
 * what a successful reset does to the account's credentials.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  BEARER,
  NOT_PROVIDED,
  PASSWORD,
  UNAVAILABLE,
  bearer,
  call,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  obtainPair,
  postJson,
  testVars,
  tokenHeader,
  uniqueName,
  unreachableD1,
} from './helpers';
import { jsonLogin } from './helpers/browser';
import { ACCESS_BLACKLISTED, BLACKLISTED } from './helpers/jwt';
import { stalledD1, waitUntilCollector } from './helpers/stall';
import {
  INVALID_TOKEN_VALUE,
  INVALID_UID,
  MISMATCH,
  NEW_PASSWORD,
  RESET_DONE,
  RESET_SENT,
  confirmReset,
  devApp,
  djangoUid,
  linkIn,
  mailsTo,
  requestReset,
  resetLinkFor,
} from './helpers/password-reset';

beforeEach(() => {
  // The development outbox logs each mail's recipient and subject.
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

describe('POST /api/auth/password/reset/', () => {
  it('answers dj-rest-auth’s 200 and mails a link <base><uid>/<token>/ to the account', async () => {
    const app = devApp();
    const user = await makeUser(app);
    await expectJson(await requestReset(app, user.email), 200, RESET_SENT);
    const [mail, ...others] = await mailsTo(app, user.email);
    expect(others).toEqual([]);
    expect(mail!.subject).toBe('[edgeauth] Password reset');
    const link = linkIn(mail!);
    expect(link.url).toBe(
      `http://localhost/api-auth/password/reset/${djangoUid(user.id)}/${link.token}/`,
    );
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(mail!.text).toContain(`Your username, in case you have forgotten it: ${user.username}`);
    expect(mail!.text).toContain('The link works once, for 1 hour.');
    expect(mail!.html).toContain(`<a href="${link.url}">Choose a new password</a>`);
  });

  it('encodes the uid as Django’s urlsafe_base64_encode(force_bytes(pk))', () => {
    // base64.urlsafe_b64encode(b'1').rstrip(b'=') and friends, from Python.
    expect([1, 42, 1234, 99999].map(djangoUid)).toEqual(['MQ', 'NDI', 'MTIzNA', 'OTk5OTk']);
  });

  it('links to PASSWORD_RESET_URL when it is set (a frontend’s page)', async () => {
    const app = devApp({ settings: { PASSWORD_RESET_URL: 'https://app.example.com/reset' } });
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    expect(link.url).toBe(`https://app.example.com/reset/${djangoUid(user.id)}/${link.token}/`);
  });

  it('gives an unknown address, an inactive account and a real one the same answer; only the real one gets mail', async () => {
    const app = devApp();
    const [active, inactive, unusable] = [
      await makeUser(app),
      await makeUser(app),
      await makeUser(app),
    ];
    await markInactive(inactive);
    await env.DB.prepare("UPDATE users SET password = '!unusable' WHERE id = ?")
      .bind(unusable.id)
      .run();
    const unknown = `${uniqueName('nobody')}@example.com`;
    const answers = [];
    for (const email of [active.email, inactive.email, unusable.email, unknown]) {
      const res = await requestReset(app, email);
      answers.push({ status: res.status, headers: [...res.headers], body: await res.text() });
    }
    expect(new Set(answers.map((answer) => JSON.stringify(answer))).size).toBe(1);
    expect(await mailsTo(app, active.email)).toHaveLength(1);
    for (const email of [inactive.email, unusable.email, unknown]) {
      expect(await mailsTo(app, email)).toEqual([]);
    }
  });

  it('answers before any account lookup: with D1 stalled the answer comes, the mail after', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const unknown = `${uniqueName('nobody')}@example.com`;
    for (const email of [user.email, unknown]) {
      const db = stalledD1(env.DB);
      const stalled = devApp({ bindings: { DB: db.binding } });
      const ctx = waitUntilCollector();
      const answer = stalled.request(
        '/api/auth/password/reset/',
        {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ email }),
        },
        env,
        ctx,
      );
      const res = await Promise.race([answer, db.timeout(2000)]);
      await expectJson(res, 200, RESET_SENT);
      expect(db.completed).toBe(0);
      db.release();
      await ctx.settled();
      expect(db.completed).toBeGreaterThan(0);
    }
    expect(await mailsTo(app, user.email)).toHaveLength(1);
    expect(await mailsTo(app, unknown)).toEqual([]);
  });

  it('mails every active account with that address, matched without regard to case', async () => {
    const app = devApp();
    const email = `${uniqueName('Shared')}@Example.com`;
    const first = await makeUser(app, { email });
    const second = await makeUser(app, { email: email.toLowerCase() });
    const inactive = await makeUser(app, { email });
    await markInactive(inactive);
    await expectJson(await requestReset(app, email.toUpperCase()), 200, RESET_SENT);
    const mails = [
      ...(await mailsTo(app, first.email)),
      ...(await mailsTo(app, second.email)),
    ].filter((mail, i, all) => all.findIndex((other) => other.text === mail.text) === i);
    const uids = mails.map((mail) => linkIn(mail).uid).sort();
    expect(uids).toEqual([djangoUid(first.id), djangoUid(second.id)].sort());
  });

  it('mails at most 10 accounts of one address, the oldest first: one request is never a flood', async () => {
    const app = devApp();
    const email = `${uniqueName('many')}@example.com`;
    const accounts = [];
    for (let i = 0; i < 12; i++) accounts.push(await makeUser(app, { email }));
    await expectJson(await requestReset(app, email), 200, RESET_SENT);
    const uids = (await mailsTo(app, email)).map((mail) => linkIn(mail).uid).sort();
    expect(uids).toEqual(
      accounts
        .slice(0, 10)
        .map((user) => djangoUid(user.id))
        .sort(),
    );
  });

  it.each([
    [{}, { email: ['This field is required.'] }],
    [{ email: '  ' }, { email: ['This field may not be blank.'] }],
    [{ email: 'not-an-address' }, { email: ['Enter a valid email address.'] }],
    [{ email: ['a@example.com'] }, { email: ['Not a valid string.'] }],
    [{ email: `${'a'.repeat(250)}@example.com` }, { email: ['Enter a valid email address.'] }],
  ])('refuses %j with DRF’s field error', async (sent, expected) => {
    await expectJson(await postJson(devApp(), '/api/auth/password/reset/', sent), 400, expected);
  });

  it('is a configuration error (503) in production without a mail backend, before reading the body', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await postJson(makeApp(), '/api/auth/password/reset/', {});
    await expectJson(res, 503, {
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(error.mock.calls.flat().join(' ')).toContain('EMAIL_BACKEND');
  });

  it('still answers 200 when D1 is down: the failure is logged after the answer', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = devApp({ bindings: { DB: unreachableD1() } });
    await expectJson(await requestReset(app, 'ada@example.com'), 200, RESET_SENT);
    expect(error.mock.calls.flat().join(' ')).toContain('password reset request failed');
  });
});

describe('POST /api/auth/password/reset/confirm/', () => {
  it('sets the new password: dj-rest-auth’s 200, the old password refused, the new one accepted', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
    expect((await postJson(app, '/api/token/', user)).status).toBe(401);
    expect((await postJson(app, '/api/token/', { ...user, password: NEW_PASSWORD })).status).toBe(
      200,
    );
  });

  it('revokes every credential the account held: JWTs, refresh tokens, opaque tokens, sessions', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const pair = await obtainPair(app, user);
    const { token } = (await (await postJson(app, '/api-token-auth/', user)).json()) as {
      token: string;
    };
    const { jar } = await jsonLogin(app, user);
    const link = await resetLinkFor(app, user);
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
    const access = await me(app, bearer(pair.access));
    expect(access.status).toBe(401);
    expect(access.headers.get('WWW-Authenticate')).toBe(BEARER);
    expect(await access.json()).toEqual(ACCESS_BLACKLISTED);
    await expectJson(
      await postJson(app, '/api/token/refresh/', { refresh: pair.refresh }),
      401,
      BLACKLISTED,
    );
    await expectJson(await me(app, tokenHeader(token)), 401, {
      detail: 'Invalid token.',
      code: 'authentication_failed',
    });
    await expectJson(await me(app, jar), 401, NOT_PROVIDED);
  });

  it('works once: the same link again is dj-rest-auth’s token error', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
    await expectJson(
      await confirmReset(app, link, 'yet another passphrase 5'),
      400,
      INVALID_TOKEN_VALUE,
    );
  });

  it('of ten parallel confirms of one link, exactly one sets the password', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => confirmReset(app, link, `${NEW_PASSWORD} ${i}`)),
    );
    const statuses = answers.map((res) => res.status).sort();
    expect(statuses).toEqual([200, ...Array(9).fill(400)]);
    const winner = answers.findIndex((res) => res.status === 200);
    for (const [i, res] of answers.entries()) {
      expect(await res.json()).toEqual(i === winner ? RESET_DONE : INVALID_TOKEN_VALUE);
    }
    const login = { ...user, password: `${NEW_PASSWORD} ${winner}` };
    expect((await postJson(app, '/api/token/', login)).status).toBe(200);
  });

  it('refuses mismatched passwords with Django’s text, and the link still works after', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await expectJson(
      await confirmReset(app, link, NEW_PASSWORD, `${NEW_PASSWORD}!`),
      400,
      MISMATCH,
    );
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it('refuses a password the validators refuse, under new_password2, without spending the link', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await expectJson(await confirmReset(app, link, '1234'), 400, {
      new_password2: [
        'This password is too short. It must contain at least 8 characters.',
        'This password is too common.',
        'This password is entirely numeric.',
      ],
    });
    await expectJson(await confirmReset(app, link, user.username), 400, {
      new_password2: ['The password is too similar to the username.'],
    });
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it('refuses a password over PASSWORD_MAX_LENGTH before anything else', async () => {
    const app = devApp({ settings: { PASSWORD_MAX_LENGTH: '16' } });
    const res = await confirmReset(app, { uid: 'MQ', token: 'x' }, 'p'.repeat(17));
    await expectJson(res, 400, {
      new_password1: ['Ensure this field has no more than 16 characters.'],
      new_password2: ['Ensure this field has no more than 16 characters.'],
    });
  });

  it.each([
    [{}, ['uid', 'token', 'new_password1', 'new_password2'], 'This field is required.'],
    [
      { uid: ' ', token: '', new_password1: '', new_password2: '' },
      ['uid', 'token', 'new_password1', 'new_password2'],
      'This field may not be blank.',
    ],
    [
      { uid: 1, token: null, new_password1: {}, new_password2: [] },
      ['token', 'new_password1', 'new_password2'],
      undefined,
    ],
  ])('refuses the body %j with DRF’s field errors', async (sent, fields, message) => {
    const res = await postJson(devApp(), '/api/auth/password/reset/confirm/', sent);
    expect(res.status).toBe(400);
    const body = (await res.json()) as Record<string, string[]>;
    expect(Object.keys(body).sort()).toEqual([...fields].sort());
    if (message) for (const field of fields) expect(body[field]).toEqual([message]);
  });

  it.each(['!!', 'MQ==', 'MA', 'YWJj', 'LTE', 'MS4w', `${'M'.repeat(40)}`, '%4D%51'])(
    'refuses the malformed uid %j as dj-rest-auth does',
    async (uid) => {
      const app = devApp();
      await expectJson(await confirmReset(app, { uid, token: 'x'.repeat(43) }), 400, INVALID_UID);
    },
  );

  it('says nothing about the uid when the token is bad: an existing and a missing account answer alike', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const other = await makeUser(app);
    const otherLink = await resetLinkFor(app, other);
    const cases = [
      { uid: link.uid, token: 'x'.repeat(43) },
      { uid: djangoUid(987654321), token: 'x'.repeat(43) },
      { uid: link.uid, token: 'short' },
      { uid: djangoUid(987654321), token: link.token },
      { uid: link.uid, token: otherLink.token },
      { uid: otherLink.uid, token: link.token },
    ];
    for (const attempt of cases) {
      await expectJson(await confirmReset(app, attempt), 400, INVALID_TOKEN_VALUE);
    }
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it('answers 503 when D1 is down, and the link still works once it is back', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const down = devApp({ bindings: { DB: unreachableD1() } });
    const res = await confirmReset(down, link);
    await expectJson(res, 503, UNAVAILABLE);
    expect(error).toHaveBeenCalled();
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it('needs no mail backend: production can confirm links mailed before', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await expectJson(await confirmReset(makeApp(), link), 200, RESET_DONE);
  });
});

describe('security events', () => {
  it('records password_reset_requested for a real account only, then password_reset_completed', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const services = createServices(parseConfig(testVars()), cloudflareStores(env));
    await requestReset(app, `${uniqueName('nobody')}@example.com`);
    const headers = { 'Content-Type': 'application/json', 'CF-Connecting-IP': '203.0.113.9' };
    const body = JSON.stringify({ email: user.email });
    await call(app, '/api/auth/password/reset/', { method: 'POST', headers, body });
    const [mail] = await mailsTo(app, user.email);
    await confirmReset(app, linkIn(mail!));
    const { events } = await services.audit.list({ userId: user.id, limit: 10, offset: 0 });
    expect(events.map((event) => [event.type, event.ip])).toEqual([
      ['password_reset_completed', null],
      ['password_reset_requested', '203.0.113.9'],
    ]);
    expect(JSON.stringify(events)).not.toContain(linkIn(mail!).token);
  });

  it('never logs the token, the link or the new password', async () => {
    const lines: string[] = [];
    for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(' '));
      });
    }
    const app = devApp();
    const user = await makeUser(app, { password: PASSWORD });
    const link = await resetLinkFor(app, user);
    await confirmReset(app, link, NEW_PASSWORD, 'mismatch');
    await confirmReset(app, link);
    await confirmReset(app, link);
    const logged = lines.join('\n');
    expect(logged).toContain('edgeauth_event');
    for (const secret of [link.token, link.url, NEW_PASSWORD]) {
      expect(logged).not.toContain(secret);
    }
  });
});
