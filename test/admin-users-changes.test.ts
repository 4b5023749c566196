/**
 * `PATCH /api/admin/users/{id}/`: `is_active`, `is_staff` and `email` with
 * DRF's field rules and messages; deactivation ending every credential at
 * once and reactivation only setting the flag; an email change mailing the
 * old address; the events recorded; storage outages. Done by a superuser
 * here; who may do what is in admin-users-rules.test.ts.
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  BEARER,
  NOT_PROVIDED,
  UNAVAILABLE,
  bearer,
  call,
  expectJson,
  freezeAt,
  makeApp,
  makeUser,
  markInactive,
  me,
  obtainPair,
  postJson,
  tokenHeader,
  type TestUser,
} from './helpers';
import { ADMIN, adminGet, eventsOf, makeSuperuser, patchUser, type Admin } from './helpers/admin';
import { jsonLogin } from './helpers/browser';
import { ACCESS_BLACKLISTED, BLACKLISTED, expect401, refresh } from './helpers/jwt';
import { d1ThatCannotWrite, kvThatCannotWrite } from './helpers/storage';
import { cloudflareStores } from '../src/storage/cloudflare';

// Development: mail goes to the outbox (`GET /api/dev/outbox/`).
const app = makeApp({ settings: { ENVIRONMENT: 'development' } });
let root: Admin;

beforeAll(async () => {
  root = await makeSuperuser(app);
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

async function account(id: number): Promise<Record<string, unknown>> {
  const res = await adminGet(app, root.headers, `/users/${id}/`);
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('PATCH /api/admin/users/{id}/', () => {
  it('changes is_staff and email and answers the changed account, its new address unverified', async () => {
    const user = await makeUser(app);
    await env.DB.prepare('UPDATE users SET email_verified = 1 WHERE id = ?').bind(user.id).run();
    const res = await patchUser(app, root, user.id, {
      is_staff: true,
      email: `New.${user.username}@EXAMPLE.org`,
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      id: user.id,
      username: user.username,
      email: `New.${user.username}@example.org`,
      is_staff: true,
      is_active: true,
      is_superuser: false,
      email_verified: false,
    });
    expect(await account(user.id)).toMatchObject({ is_staff: true, email_verified: false });
  });

  it.each([true, 'true', 'True', 'TRUE', 't', 'Y', 'yes', 'Yes', 'on', '1', 1, 1.0])(
    'reads %j as true, as DRF’s BooleanField does',
    async (value) => {
      const user = await makeUser(app);
      const res = await patchUser(app, root, user.id, { is_staff: value });
      expect(await res.json()).toMatchObject({ is_staff: true });
    },
  );

  it.each([false, 'false', 'False', 'f', 'N', 'no', 'NO', 'off', '0', 0, -0])(
    'reads %j as false, as DRF’s BooleanField does',
    async (value) => {
      const user = await makeUser(app);
      await patchUser(app, root, user.id, { is_staff: true });
      const res = await patchUser(app, root, user.id, { is_staff: value });
      expect(await res.json()).toMatchObject({ is_staff: false });
    },
  );

  it.each<[string, unknown, Record<string, string[]>]>([
    ['a word', { is_active: 'maybe' }, { is_active: ['Must be a valid boolean.'] }],
    ['2', { is_staff: 2 }, { is_staff: ['Must be a valid boolean.'] }],
    ['an empty string', { is_active: '' }, { is_active: ['Must be a valid boolean.'] }],
    ['"null"', { is_active: 'null' }, { is_active: ['Must be a valid boolean.'] }],
    ['a list', { is_staff: [true] }, { is_staff: ['Must be a valid boolean.'] }],
    ['null', { is_active: null }, { is_active: ['This field may not be null.'] }],
    ['a bad address', { email: 'not-an-address' }, { email: ['Enter a valid email address.'] }],
    [
      'a 255-character address',
      { email: `${'a'.repeat(243)}@example.org` },
      { email: ['Ensure this field has no more than 254 characters.'] },
    ],
    ['a null email', { email: null }, { email: ['This field may not be null.'] }],
    ['a list as email', { email: ['a@example.org'] }, { email: ['Not a valid string.'] }],
    [
      'two bad fields',
      { is_staff: 'x', email: 'y' },
      { is_staff: ['Must be a valid boolean.'], email: ['Enter a valid email address.'] },
    ],
  ])('refuses %s with DRF’s 400 and changes nothing', async (_, fields, errors) => {
    const user = await makeUser(app);
    const before = await account(user.id);
    await expectJson(await patchUser(app, root, user.id, fields), 400, errors);
    expect(await account(user.id)).toEqual(before);
  });

  it('answers malformed JSON with 400 parse_error, and another media type with 415', async () => {
    const user = await makeUser(app);
    const path = `${ADMIN}/users/${user.id}/`;
    const broken = await call(app, path, {
      method: 'PATCH',
      headers: { ...root.headers, 'Content-Type': 'application/json' },
      body: '{"is_staff": tru',
    });
    expect(broken.status).toBe(400);
    expect(await broken.json()).toMatchObject({ code: 'parse_error' });
    const text = await call(app, path, {
      method: 'PATCH',
      headers: { ...root.headers, 'Content-Type': 'text/plain' },
      body: 'is_staff=true',
    });
    expect(text.status).toBe(415);
  });

  it('takes a form body, and ignores fields it does not change (id, username, is_superuser)', async () => {
    const user = await makeUser(app);
    const res = await call(app, `${ADMIN}/users/${user.id}/`, {
      method: 'PATCH',
      headers: { ...root.headers, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'is_staff=on&is_superuser=true&username=renamed&id=1',
    });
    expect(await res.json()).toMatchObject({
      id: user.id,
      username: user.username,
      is_staff: true,
      is_superuser: false,
    });
  });

  it('records admin_user_updated with the fields and flags, never an address', async () => {
    const user = await makeUser(app);
    await patchUser(app, root, user.id, {});
    const [local, domain] = user.email.split('@');
    await patchUser(app, root, user.id, {
      is_staff: false,
      email: `${local}@${domain!.toUpperCase()}`,
    });
    expect(await eventsOf(user.id)).toEqual([]);
    await patchUser(app, root, user.id, { is_staff: true, email: `x.${user.email}` });
    const events = await eventsOf(user.id);
    expect(events).toEqual([
      {
        type: 'admin_user_updated',
        credential: 'jwt',
        detail: { admin_id: root.id, fields: ['email', 'is_staff'], is_staff: true },
      },
    ]);
    expect(JSON.stringify(events)).not.toContain('@');
  });
});

/** Every kind of credential `user` can hold, each checked to work. */
async function credentialsOf(user: TestUser) {
  const pair = await obtainPair(app, user);
  const issued = await postJson(app, '/api-token-auth/', {
    username: user.username,
    password: user.password,
  });
  const { token } = (await issued.json()) as { token: string };
  const session = await jsonLogin(app, user);
  for (const credential of [bearer(pair.access), tokenHeader(token), session.jar]) {
    expect((await me(app, credential)).status).toBe(200);
  }
  return { pair, token, session };
}

describe('deactivation and reactivation', () => {
  it('deactivating ends the user’s JWT, refresh token, opaque token and session at once', async () => {
    const user = await makeUser(app);
    const { pair, token, session } = await credentialsOf(user);

    const res = await patchUser(app, root, user.id, { is_active: false });
    expect(await res.json()).toMatchObject({ id: user.id, is_active: false });

    await expect401(await me(app, bearer(pair.access)), ACCESS_BLACKLISTED);
    await expect401(await refresh(app, pair.refresh), BLACKLISTED);
    await expect401(await me(app, tokenHeader(token)), {
      detail: 'Invalid token.',
      code: 'authentication_failed',
    });
    const viaSession = await me(app, session.jar);
    await expectJson(viaSession, 401, NOT_PROVIDED);
    expect(viaSession.headers.get('WWW-Authenticate')).toBe(BEARER);
    await expectJson(await postJson(app, '/api/token/', user), 401, {
      detail: 'No active account found with the given credentials',
      code: 'no_active_account',
    });
    expect(await eventsOf(user.id)).toEqual([
      {
        type: 'admin_user_updated',
        credential: 'jwt',
        detail: { admin_id: root.id, fields: ['is_active'], is_active: false },
      },
      { type: 'admin_user_deactivated', credential: 'jwt', detail: { admin_id: root.id } },
    ]);
  });

  it('reactivating only sets the flag: the user logs in again, old credentials stay dead', async () => {
    const user = await makeUser(app);
    const old = await obtainPair(app, user);
    await patchUser(app, root, user.id, { is_active: false });
    freezeAt(Date.now() + 2_000);

    const res = await patchUser(app, root, user.id, { is_active: 'true' });
    expect(await res.json()).toMatchObject({ is_active: true });
    expect((await me(app, bearer((await obtainPair(app, user)).access))).status).toBe(200);
    await expect401(await me(app, bearer(old.access)), ACCESS_BLACKLISTED);
    expect((await eventsOf(user.id)).map((event) => event.type)).toEqual([
      'admin_user_updated',
      'admin_user_deactivated',
      'admin_user_updated',
    ]);
  });

  it('deactivating an account already marked inactive by hand still revokes what it holds', async () => {
    const user = await makeUser(app);
    const { access: token } = await obtainPair(app, user);
    await markInactive(user);
    const verify = () => postJson(app, '/api/token/verify/', { token });
    expect((await verify()).status).toBe(200);

    await patchUser(app, root, user.id, { is_active: false });
    expect((await verify()).status).not.toBe(200);
  });
});

describe('an email change by an admin', () => {
  async function mailsTo(address: string) {
    const res = await call(app, '/api/dev/outbox/');
    const mails = (await res.json()) as {
      to: string;
      subject: string;
      text: string;
      html: string;
    }[];
    return mails.filter((mail) => mail.to === address);
  }

  it('mails the old address, naming the account and the new address', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const admin = await makeSuperuser(app);
    const user = await makeUser(app);
    const next = `moved.${user.email}`;
    const res = await patchUser(app, admin, user.id, { email: next });
    expect(res.status).toBe(200);
    const [mail, ...more] = await mailsTo(user.email);
    expect(more).toEqual([]);
    expect(mail!.subject).toBe('[edgeauth] Your email address was changed');
    expect(mail!.text).toContain(`"${user.username}" from ${user.email} to ${next}.`);
    expect(mail!.html).toContain('<p>');
    expect(await mailsTo(next)).toEqual([]);
  });

  it('mails nobody when the old address was blank, nor when the address does not change', async () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const admin = await makeSuperuser(app);
    const blank = await makeUser(app, { email: '' });
    const next = `first.${blank.username.toLowerCase()}@example.com`;
    const first = await patchUser(app, admin, blank.id, { email: next });
    expect(await first.json()).toMatchObject({ email: next });
    const same = next.replace('example.com', 'EXAMPLE.COM');
    expect((await patchUser(app, admin, blank.id, { email: same })).status).toBe(200);
    expect(await mailsTo(next)).toEqual([]);
  });

  it('voids the password-reset and email-confirmation keys issued before it', async () => {
    const user = await makeUser(app);
    const stores = cloudflareStores(env);
    const now = Date.now();
    const times = { userId: user.id, createdAt: now, expiresAt: now + 3_600_000 };
    await stores.passwordResets.replace({ ...times, digest: `reset${user.id}`, fingerprint: 'f' });
    await stores.emailConfirmations.create({
      ...times,
      digest: `confirm${user.id}`,
      email: user.email,
      purpose: 'verify',
    });
    await patchUser(app, root, user.id, { email: `new.${user.email}` });
    expect(await stores.passwordResets.consume(`reset${user.id}`, now)).toBeNull();
    expect(await stores.emailConfirmations.consume(`confirm${user.id}`, now)).toBeNull();
  });

  it('answers 503 and changes nothing when no mail backend is configured', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const mailless = makeApp({ mailer: null });
    const user = await makeUser(mailless);
    const res = await patchUser(mailless, root, user.id, { email: `new.${user.email}` });
    await expectJson(res, 503, {
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(await account(user.id)).toMatchObject({ email: user.email });
  });
});

describe('storage outages', () => {
  it('answers 503 and reports nothing done when D1 cannot write', async () => {
    const user = await makeUser(app);
    const broken = makeApp({ bindings: { DB: d1ThatCannotWrite() } });
    await expectJson(await patchUser(broken, root, user.id, { is_staff: true }), 503, UNAVAILABLE);
    expect(await account(user.id)).toMatchObject({ is_staff: false });
  });

  it('deactivation answers 503 when the revocation list cannot be written', async () => {
    const user = await makeUser(app);
    const broken = makeApp({ bindings: { KV: kvThatCannotWrite() } });
    await expectJson(
      await patchUser(broken, root, user.id, { is_active: false }),
      503,
      UNAVAILABLE,
    );
  });
});
