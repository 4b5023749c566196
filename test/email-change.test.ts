/**
 * Changing the email through `PATCH /api/me/`: with verification on, the old
 * address stays until the new one is confirmed through a mail sent to it;
 * with `none`, the change is immediate and unverified. Either way the old
 * address is told, without the key, and pending password resets die. End to
 * end through the development outbox.
 */
import { env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  basic,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  publicUser,
  uniqueName,
  type App,
  type TestUser,
} from './helpers';
import {
  NOT_FOUND,
  OK,
  devApp,
  keyIn,
  latestKey,
  mailsTo,
  verifiedUser,
  verifyEmail,
} from './helpers/mail';

const BASIC = { DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication' };
const optional = devApp({ ACCOUNT_EMAIL_VERIFICATION: 'optional', ...BASIC });
const none = devApp(BASIC);

afterEach(() => vi.restoreAllMocks());

function patch(app: App, user: TestUser, fields: unknown): Promise<Response> {
  return call(app, '/api/me/', {
    method: 'PATCH',
    headers: { ...basic(user.username, user.password), 'Content-Type': 'application/json' },
    body: JSON.stringify(fields),
  });
}

const shown = async (app: App, user: TestUser) =>
  (await me(app, basic(user.username, user.password))).json();

const newAddress = () => `${uniqueName('new')}@example.org`;

/** A password reset waiting for the user, written as the reset flow writes one. */
async function pendingReset(user: TestUser): Promise<string> {
  const digest = crypto.randomUUID();
  const now = Date.now();
  await cloudflareStores(env).passwordResets.replace({
    digest,
    userId: user.id,
    createdAt: now,
    expiresAt: now + 3_600_000,
    fingerprint: 'f',
  });
  return digest;
}

const resetStillUsable = async (digest: string) =>
  (await cloudflareStores(env).passwordResets.consume(digest, Date.now())) !== null;

describe('with verification on (optional or mandatory)', () => {
  it('keeps the old address until the new one is confirmed, end to end through the outbox', async () => {
    const user = await verifiedUser(optional);
    const address = newAddress();
    const res = await patch(optional, user, { email: address });
    await expectJson(res, 200, publicUser({ ...user, email_verified: true }));
    expect(await shown(optional, user)).toEqual(publicUser({ ...user, email_verified: true }));

    const [confirmation, ...more] = await mailsTo(optional, address);
    expect(more).toEqual([]);
    expect(confirmation!.subject).toBe('[edgeauth] Confirm your new email address');
    const key = keyIn(confirmation!);
    const [notice] = await mailsTo(optional, user.email);
    expect(notice!.subject).toBe('[edgeauth] Your email address is being changed');
    expect(notice!.text).toContain(address);
    expect(notice!.text + notice!.html).not.toContain(key);
    expect(notice!.text).not.toContain('key=');

    await expectJson(await verifyEmail(optional, key), 200, OK);
    const changed = { ...user, email: address, email_verified: true };
    expect(await shown(optional, user)).toEqual(publicUser(changed));
    await expectJson(await verifyEmail(optional, key), 404, NOT_FOUND);
  });

  it('voids the user’s pending password resets when the change is confirmed', async () => {
    const user = await makeUser(optional);
    const address = newAddress();
    await patch(optional, user, { email: address });
    const digest = await pendingReset(user);
    await verifyEmail(optional, await latestKey(optional, address));
    expect(await resetStillUsable(digest)).toBe(false);
  });

  it('records email_change_requested, then email_changed', async () => {
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    const user = await makeUser(optional);
    const address = newAddress();
    await patch(optional, user, { email: address });
    await verifyEmail(optional, await latestKey(optional, address));
    const events = log.mock.calls
      .flat()
      .map(String)
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as { edgeauth_event: string; userId: number })
      .filter((event) => event.userId === user.id)
      .map((event) => event.edgeauth_event);
    expect(events).toEqual(['email_verification_sent', 'email_change_requested', 'email_changed']);
  });

  it('lets only the newest request be confirmed', async () => {
    const user = await makeUser(optional);
    const first = newAddress();
    const second = newAddress();
    await patch(optional, user, { email: first });
    await patch(optional, user, { email: second });
    await expectJson(await verifyEmail(optional, await latestKey(optional, first)), 404, NOT_FOUND);
    await expectJson(await verifyEmail(optional, await latestKey(optional, second)), 200, OK);
    expect(await shown(optional, user)).toMatchObject({ email: second });
  });

  it('applies a username at once and the email only when confirmed', async () => {
    const user = await makeUser(optional);
    const renamed = uniqueName('renamed');
    const address = newAddress();
    const res = await patch(optional, user, { username: renamed, email: address });
    await expectJson(res, 200, publicUser({ ...user, username: renamed }));
  });

  it('sends nothing for the address the account already has', async () => {
    const user = await makeUser(optional);
    const before = await mailsTo(optional, user.email);
    await expectJson(await patch(optional, user, { email: user.email }), 200, publicUser(user));
    expect(await mailsTo(optional, user.email)).toEqual(before);
  });

  it('tells no old address when the account had none', async () => {
    const username = uniqueName();
    const bare = await makeUser(optional, { username, email: '' });
    const address = newAddress();
    await patch(optional, bare, { email: address });
    expect(await mailsTo(optional, '')).toEqual([]);
    await expectJson(await verifyEmail(optional, await latestKey(optional, address)), 200, OK);
  });

  it.each([
    [{ email: '' }, { email: ['This field may not be blank.'] }],
    [{ email: 'nope' }, { email: ['Enter a valid email address.'] }],
    [{ email: null }, { email: ['This field may not be null.'] }],
  ])('answers %j with 400 %j and sends nothing', async (fields, errors) => {
    const user = await makeUser(optional);
    const before = await mailsTo(optional, user.email);
    await expectJson(await patch(optional, user, fields), 400, errors);
    expect(await mailsTo(optional, user.email)).toEqual(before);
  });

  it('with mandatory, the account logs in with its verified old address while the change waits', async () => {
    const mandatory = devApp({ ACCOUNT_EMAIL_VERIFICATION: 'mandatory', ...BASIC });
    const user = await verifiedUser(mandatory);
    const address = newAddress();
    await patch(mandatory, user, { email: address });
    expect((await me(mandatory, basic(user.username, user.password))).status).toBe(200);
    await verifyEmail(mandatory, await latestKey(mandatory, address));
    expect(await shown(mandatory, user)).toMatchObject({ email: address, email_verified: true });
  });
});

describe('with ACCOUNT_EMAIL_VERIFICATION=none', () => {
  it('changes the address at once, unverified, and tells the old one', async () => {
    const user = await verifiedUser(optional);
    const address = newAddress();
    const res = await patch(none, user, { email: address });
    await expectJson(res, 200, publicUser({ ...user, email: address, email_verified: false }));
    const [notice] = await mailsTo(none, user.email);
    expect(notice!.subject).toBe('[edgeauth] Your email address was changed');
    expect(notice!.text).toContain(`was changed to ${address}`);
    expect(await mailsTo(none, address)).toEqual([]);
  });

  it('voids pending password resets at once', async () => {
    const user = await makeUser(none);
    const digest = await pendingReset(user);
    await patch(none, user, { email: newAddress() });
    expect(await resetStillUsable(digest)).toBe(false);
  });

  it('tells the old address when the email is cleared', async () => {
    const user = await makeUser(none);
    await expectJson(
      await patch(none, user, { email: '' }),
      200,
      publicUser({ ...user, email: '' }),
    );
    const [notice] = await mailsTo(none, user.email);
    expect(notice!.text).toContain('was removed');
  });

  it('keeps the confirmation of an address that does not change', async () => {
    const user = await verifiedUser(optional);
    const res = await patch(none, user, { email: user.email, username: user.username });
    await expectJson(res, 200, publicUser({ ...user, email_verified: true }));
  });
});

describe('in production without a mail backend', () => {
  it('refuses an email change (503) and changes nothing, but not a rename', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = makeApp({ settings: BASIC });
    const user = await makeUser(app);
    const res = await patch(app, user, { email: newAddress(), username: uniqueName() });
    await expectJson(res, 503, {
      detail: 'The service is misconfigured; see the server log.',
      code: 'service_unavailable',
    });
    expect(await shown(app, user)).toEqual(publicUser(user));
    const renamed = uniqueName('renamed');
    expect((await patch(app, user, { username: renamed })).status).toBe(200);
  });

  it('sets a first address, which has no old address to tell', async () => {
    const app = makeApp({ settings: BASIC });
    const user = await makeUser(app, { email: '' });
    const address = newAddress();
    await expectJson(await patch(app, user, { email: address }), 200, {
      ...publicUser(user),
      email: address,
    });
  });
});
