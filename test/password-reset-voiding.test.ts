/**
 * When a password-reset link stops working: after `PASSWORD_RESET_TIMEOUT`
 * (a frozen clock), after a newer reset, a password change, a change of
 * email, deactivation, and a successful login through any channel of the
 * login pipeline (including those that do not record `last_login`).
 */
import { env } from 'cloudflare:test';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { parseConfig } from '../src/config';
import { createServices } from '../src/services';
import { cloudflareStores } from '../src/storage/cloudflare';
import { bearer, call, configErrorOf, expectJson, makeUser, obtainPair, testVars } from './helpers';
import {
  EVERY_CHANNEL,
  INVALID_TOKEN_VALUE,
  LOGINS,
  RESET_DONE,
  confirmReset,
  devApp,
  mailsTo,
  resetLinkFor,
  type Channel,
} from './helpers/password-reset';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const HOUR = 3_600_000;

describe('expiry (PASSWORD_RESET_TIMEOUT, default 1 hour)', () => {
  it('a link works until one hour after the request, and not at the hour', async () => {
    const start = Date.now();
    let now = start;
    const app = devApp({ clock: { now: () => now } });
    const early = await makeUser(app);
    const late = await makeUser(app);
    const earlyLink = await resetLinkFor(app, early);
    const lateLink = await resetLinkFor(app, late);
    now = start + HOUR - 1;
    await expectJson(await confirmReset(app, earlyLink), 200, RESET_DONE);
    now = start + HOUR;
    await expectJson(await confirmReset(app, lateLink), 400, INVALID_TOKEN_VALUE);
  });

  it('follows the setting, and the mail says how long the link works', async () => {
    const start = Date.now();
    let now = start;
    const app = devApp({ clock: { now: () => now }, settings: { PASSWORD_RESET_TIMEOUT: '10m' } });
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const [mail] = await mailsTo(app, user.email);
    expect(mail!.text).toContain('The link works once, for 10 minutes.');
    now = start + 10 * 60_000;
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });

  it.each([
    ['59', 'must be between 60s and 604800s, got 59s'],
    ['8d', 'must be between 60s and 604800s, got 691200s'],
  ])('refuses PASSWORD_RESET_TIMEOUT=%s at start-up', (value, message) => {
    const err = configErrorOf(() => parseConfig(testVars({ PASSWORD_RESET_TIMEOUT: value })));
    expect(err.message).toBe(`Invalid setting PASSWORD_RESET_TIMEOUT: ${message}`);
  });

  it.each([
    'reset/',
    'https://app.example.com/reset/?next=1',
    'javascript:alert(1)',
    '//evil.example/',
  ])('refuses PASSWORD_RESET_URL=%j at start-up, without echoing it', (value) => {
    const err = configErrorOf(() => parseConfig(testVars({ PASSWORD_RESET_URL: value })));
    expect(err.setting).toBe('PASSWORD_RESET_URL');
    expect(err.message).not.toContain(value);
  });
});

describe('a link dies with what it was issued for', () => {
  it('a newer reset voids the older link', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const older = await resetLinkFor(app, user);
    const newer = await resetLinkFor(app, user);
    await expectJson(await confirmReset(app, older), 400, INVALID_TOKEN_VALUE);
    await expectJson(await confirmReset(app, newer), 200, RESET_DONE);
  });

  it('a password changed by any other flow voids it', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    // What a password change writes: a new hash (the route belongs to another part of #12).
    const stores = cloudflareStores(env);
    const stored = (await stores.users.findById(user.id))!;
    await stores.users.setPasswordIfUnchanged(
      user.id,
      stored.passwordHash,
      `${stored.passwordHash}x`,
    );
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });

  it('a change of email voids it', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const { access } = await obtainPair(app, user);
    const link = await resetLinkFor(app, user);
    const res = await call(app, '/api/me/', {
      method: 'PATCH',
      headers: { ...bearer(access), 'Content-Type': 'application/json' },
      body: JSON.stringify({ email: `new.${user.email}` }),
    });
    expect(res.status).toBe(200);
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });

  it('deactivating the account voids it (and its credentials)', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const services = createServices(parseConfig(testVars()), cloudflareStores(env));
    await services.revocation.deactivateUser(user.id);
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });

  it('"log out everywhere" voids it', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const services = createServices(parseConfig(testVars()), cloudflareStores(env));
    await services.revocation.revokeAllCredentials(user.id);
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });
});

describe('a successful login voids the link, through every channel', () => {
  const channels = Object.keys(LOGINS) as Channel[];

  it.each(channels)('%s: a login voids it, a refused login does not', async (channel) => {
    // JWT obtain does not record last_login here (UPDATE_LAST_LOGIN off), nor does Basic.
    const app = devApp({ settings: EVERY_CHANNEL });
    const user = await makeUser(app);
    const kept = await resetLinkFor(app, user);
    expect(await LOGINS[channel](app, { ...user, password: 'not the password' })).toBe(false);
    await expectJson(await confirmReset(app, kept, 'first new passphrase 1'), 200, RESET_DONE);

    const relogged = { ...user, password: 'first new passphrase 1' };
    const voided = await resetLinkFor(app, relogged);
    expect(await LOGINS[channel](app, relogged)).toBe(true);
    await expectJson(await confirmReset(app, voided), 400, INVALID_TOKEN_VALUE);
  });

  it('a JWT login without UPDATE_LAST_LOGIN leaves last_login as it was, and still voids it', async () => {
    const app = devApp({ settings: EVERY_CHANNEL });
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    expect(await LOGINS.jwt(app, user)).toBe(true);
    const stored = await cloudflareStores(env).users.findById(user.id);
    expect(stored!.lastLogin).toBeNull();
    await expectJson(await confirmReset(app, link), 400, INVALID_TOKEN_VALUE);
  });
});
