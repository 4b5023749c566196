/**
 * The one login pipeline (`services/login.ts`): every way to log in runs its
 * hooks in order, a refusal before the password check costs no hash, a
 * refusal after it answers as a wrong password does, and the audit hooks see
 * every outcome. The services read time from the injected clock.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import type { LoginHooks } from '../src/lib';
import { createServices } from '../src/services';
import { credentials } from '../src/routes/credentials';
import { cloudflareStores } from '../src/storage/cloudflare';
import {
  call,
  countingHasher,
  decodeParts,
  makeApp,
  makeUser,
  postJson,
  testVars,
} from './helpers';
import { EVERY_CHANNEL, LOGINS, type Channel } from './helpers/channels';

const CHANNELS = Object.keys(LOGINS) as Channel[];

function appWith(hooks: Partial<LoginHooks>) {
  const hasher = countingHasher();
  const app = makeApp({ hasher, loginHooks: hooks, settings: EVERY_CHANNEL });
  return { app, hasher };
}

describe('every way to log in runs the one pipeline', () => {
  it.each(CHANNELS)('%s: a refusal before the password check costs no hash', async (channel) => {
    const seen: Channel[] = [];
    const { app, hasher } = appWith({
      throttle: [
        {
          name: 'refuse everything',
          run: (attempt) => (seen.push(attempt.channel), { reason: 'invalid_credentials' }),
        },
      ],
    });
    const user = await makeUser(app);
    hasher.count = 0;
    expect(await LOGINS[channel](app, user)).toBe(false);
    expect(hasher.count).toBe(0);
    expect(seen).toEqual([channel]);
  });

  it.each(CHANNELS)('%s: a hook after a correct password refuses the login', async (channel) => {
    const { app, hasher } = appWith({
      mfa: [{ name: 'always refuse', run: () => ({ reason: 'invalid_credentials' }) }],
    });
    const user = await makeUser(app);
    hasher.count = 0;
    expect(await LOGINS[channel](app, user)).toBe(false);
    expect(hasher.count).toBe(1);
  });

  it.each(CHANNELS)('%s: the audit hooks see the attempt and its outcome', async (channel) => {
    const outcomes: Array<{ channel: Channel; username: string; accepted: boolean }> = [];
    const { app } = appWith({
      audit: [
        {
          name: 'record',
          run: (attempt, outcome) => {
            const accepted = outcome.user !== null && outcome.refusal === undefined;
            outcomes.push({ channel: attempt.channel, username: attempt.username, accepted });
          },
        },
      ],
    });
    const user = await makeUser(app);
    expect(await LOGINS[channel](app, { ...user, password: 'not the password' })).toBe(false);
    expect(await LOGINS[channel](app, user)).toBe(true);
    expect(outcomes).toEqual([
      { channel, username: user.username, accepted: false },
      { channel, username: user.username, accepted: true },
    ]);
  });

  it('runs the hooks in order: throttle, lockout, then after the check accountState, emailVerification, mfa', async () => {
    const order: string[] = [];
    const step = (name: string) => ({ name, run: () => (order.push(name), undefined) });
    const { app } = appWith({
      throttle: [step('throttle')],
      lockout: [step('lockout')],
      accountState: [step('accountState')],
      emailVerification: [step('emailVerification')],
      mfa: [step('mfa')],
    });
    const user = await makeUser(app);
    expect(await LOGINS.jwt(app, user)).toBe(true);
    expect(order).toEqual(['throttle', 'lockout', 'accountState', 'emailVerification', 'mfa']);
  });
});

describe('the services read time from the injected clock', () => {
  it('issues tokens and sessions at the clock’s time', async () => {
    const at = Date.UTC(2030, 0, 2, 3, 4, 5);
    const app = makeApp({ clock: { now: () => at } });
    const user = await makeUser(app);
    const pair = (await (await postJson(app, '/api/token/', user)).json()) as {
      access: string;
      refresh: string;
    };
    expect(decodeParts(pair.access).claims.iat).toBe(at / 1000);
    expect(decodeParts(pair.refresh).claims.iat).toBe(at / 1000);
    // The codec verifies at the clock's time too: the token is valid "now".
    const res = await call(app, '/api/me/', {
      headers: { Authorization: `Bearer ${pair.access}` },
    });
    expect(res.status).toBe(200);
    // And the system clock's app finds it not yet issued (iat in the future).
    const real = await call(makeApp(), '/api/me/', {
      headers: { Authorization: `Bearer ${pair.access}` },
    });
    expect(real.status).toBe(401);
  });

  it('createServices works outside a request, as admin code uses it', async () => {
    const app = makeApp();
    const user = await makeUser(app);
    const services = createServices(parseConfig(testVars()), cloudflareStores(env));
    const found = await services.users.find(user.id);
    expect(found?.username).toBe(user.username);
    expect(await services.health.check()).toEqual({ d1: 'ok', kv: 'ok' });
  });
});

describe('body schemas speak the Standard Schema interface with DRF’s messages', () => {
  const schema = credentials(parseConfig(testVars({ PASSWORD_MAX_LENGTH: '16' })));

  it('reports every field error at once, by path', () => {
    const result = schema['~standard'].validate({ username: '  ', password: '12345678901234567' });
    expect(result.issues).toEqual([
      { message: 'This field may not be blank.', path: ['username'] },
      { message: 'Ensure this field has no more than 16 characters.', path: ['password'] },
    ]);
  });

  it('gives the value when the body is valid: username trimmed, password never', () => {
    const result = schema['~standard'].validate({ username: ' ada ', password: ' pw ' });
    expect(result).toEqual({ value: { username: 'ada', password: ' pw ' } });
  });

  it('refuses what is not an object', () => {
    expect(schema['~standard'].validate([1, 2]).issues).toEqual([
      { message: 'Expected a dictionary.' },
    ]);
  });
});
