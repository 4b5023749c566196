/**
 * `ACCOUNT_EMAIL_VERIFICATION=mandatory` in the login pipeline: every way to
 * log in refuses an unverified account with dj-rest-auth's
 * `E-mail is not verified.`, only after the password was checked (one hash),
 * while a wrong password gets the answer it always gets, so the refusal
 * reveals nothing to someone without the password.
 */
import { describe, expect, it } from 'vitest';
import type { LoginAttempt } from '../src/lib';
import {
  basic,
  countingHasher,
  expectJson,
  makeUser,
  markInactive,
  me,
  obtainPair,
  bearer,
  postJson,
  type App,
  type TestUser,
} from './helpers';
import { setCookies } from './helpers/browser';
import { submitLoginForm } from './helpers/channels';
import { devApp, verifiedUser } from './helpers/mail';

type Channel = LoginAttempt['channel'];

const UNVERIFIED = 'E-mail is not verified.';

/** What a client sees from one login, reduced to what these tests compare. */
interface Seen {
  status: number;
  body: unknown;
  challenge: string | null;
  /** The session cookie, for the two session channels. */
  session?: boolean;
}

async function seen(res: Response): Promise<Seen> {
  const type = res.headers.get('Content-Type') ?? '';
  const body = type.includes('json') ? await res.json() : await res.text();
  return { status: res.status, body, challenge: res.headers.get('WWW-Authenticate') };
}

const LOGINS: Record<Channel, (app: App, user: TestUser) => Promise<Seen>> = {
  jwt: async (app, user) => seen(await postJson(app, '/api/token/', user)),
  'api-token-auth': async (app, user) => seen(await postJson(app, '/api-token-auth/', user)),
  async session(app, user) {
    const res = await postJson(app, '/api/auth/login/', user);
    return { ...(await seen(res)), session: 'sessionid' in setCookies(res) };
  },
  async 'login-page'(app, user) {
    const res = await submitLoginForm(app, user);
    const page = await seen(res);
    // The page's error line, which is what differs between the answers.
    const error = /<p class="error" id="login-error" role="alert">([^<]*)<\/p>/.exec(
      String(page.body),
    );
    return { ...page, body: error?.[1] ?? null, session: 'sessionid' in setCookies(res) };
  },
  basic: async (app, user) => seen(await me(app, basic(user.username, user.password))),
};

const CHANNELS = Object.keys(LOGINS) as Channel[];

/** Each channel's answer to an account whose address is not confirmed. */
const REFUSED: Record<Channel, Seen> = {
  jwt: { status: 400, body: { non_field_errors: [UNVERIFIED] }, challenge: null },
  'api-token-auth': { status: 400, body: { non_field_errors: [UNVERIFIED] }, challenge: null },
  session: {
    status: 400,
    body: { non_field_errors: [UNVERIFIED] },
    challenge: null,
    session: false,
  },
  'login-page': { status: 200, body: UNVERIFIED, challenge: null, session: false },
  basic: {
    status: 401,
    body: { detail: UNVERIFIED, code: 'authentication_failed' },
    challenge: 'Basic realm="api"',
  },
};

function mandatoryApp() {
  const hasher = countingHasher();
  // Basic as the default class, so that /api/me/ takes (and challenges for) Basic credentials.
  const settings = {
    ACCOUNT_EMAIL_VERIFICATION: 'mandatory',
    DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication',
  };
  return { app: devApp(settings, { hasher }), hasher };
}

describe('ACCOUNT_EMAIL_VERIFICATION=mandatory', () => {
  it.each(CHANNELS)(
    '%s: refuses an unverified account with dj-rest-auth’s answer, after one password check',
    async (channel) => {
      const { app, hasher } = mandatoryApp();
      const user = await makeUser(app);
      hasher.count = 0;
      expect(await LOGINS[channel](app, user)).toEqual(REFUSED[channel]);
      expect(hasher.count).toBe(1);
    },
  );

  it.each(CHANNELS)(
    '%s: answers a wrong password for an unverified account as for any wrong password',
    async (channel) => {
      const { app } = mandatoryApp();
      const unverified = await makeUser(app);
      const verified = await verifiedUser(app);
      const wrong = 'not the password at all';
      const forUnverified = await LOGINS[channel](app, { ...unverified, password: wrong });
      const forVerified = await LOGINS[channel](app, { ...verified, password: wrong });
      const forUnknown = await LOGINS[channel](app, {
        ...verified,
        username: 'nobody',
        password: wrong,
      });
      expect(forUnverified).toEqual(forVerified);
      expect(forUnverified).toEqual(forUnknown);
      expect(forUnverified).not.toEqual(REFUSED[channel]);
      expect(JSON.stringify(forUnverified.body)).not.toContain(UNVERIFIED);
    },
  );

  it.each(CHANNELS)('%s: logs the account in once its address is confirmed', async (channel) => {
    const { app } = mandatoryApp();
    const user = await verifiedUser(app);
    const result = await LOGINS[channel](app, user);
    expect(result.status).toBe(channel === 'login-page' ? 302 : 200);
  });

  it('refuses an inactive unverified account as a wrong password, not as unverified', async () => {
    const { app } = mandatoryApp();
    const user = await makeUser(app);
    await markInactive(user);
    await expectJson(await postJson(app, '/api/token/', user), 401, {
      detail: 'No active account found with the given credentials',
      code: 'no_active_account',
    });
  });

  it('leaves credentials issued before it was turned on working, as allauth gates only the login', async () => {
    const before = devApp();
    const user = await makeUser(before);
    const pair = await obtainPair(before, user);
    const app = devApp({ ACCOUNT_EMAIL_VERIFICATION: 'mandatory' });
    expect((await postJson(app, '/api/token/', user)).status).toBe(400);
    expect((await me(app, bearer(pair.access))).status).toBe(200);
  });
});

describe('ACCOUNT_EMAIL_VERIFICATION=optional', () => {
  it.each(CHANNELS)('%s: logs an unverified account in', async (channel) => {
    const app = devApp({
      ACCOUNT_EMAIL_VERIFICATION: 'optional',
      DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication',
    });
    const user = await makeUser(app);
    const result = await LOGINS[channel](app, user);
    expect(result.status).toBe(channel === 'login-page' ? 302 : 200);
  });
});
