/**
 * Cookie mode: everything the access cookie authenticates on an unsafe
 * method goes through DRF's CSRF check (the `csrftoken` cookie and the
 * `X-CSRFToken` header or `csrfmiddlewaretoken` field), plus the `Origin` /
 * `Sec-Fetch-Site` checks of deliberate difference 7 in shared/API.md.
 */
import { describe, expect, it } from 'vitest';
import { ACCEPT_MAIL, call, expectJson, makeApp, me, publicUser, type App } from './helpers';
import {
  COOKIE_NOT_SET,
  MISSING_OR_INCORRECT,
  OTHER_CSRF_TOKEN,
  csrf,
  csrfFailed,
  send,
  type CookieJar,
} from './helpers/browser';
import {
  COOKIE_MODE,
  emailOf,
  expectTokenCookiesExpired,
  patchEmail,
  tokenLogin,
} from './helpers/cookie-mode';
import { ACCESS_BLACKLISTED, expect401 } from './helpers/jwt';

const app = makeApp({ settings: COOKIE_MODE, mailer: ACCEPT_MAIL });
const ORIGIN = 'http://localhost';

function trusting(trustedOrigins: string): App {
  return makeApp({
    settings: { ...COOKIE_MODE, CSRF_TRUSTED_ORIGINS: trustedOrigins },
    mailer: ACCEPT_MAIL,
  });
}

/** `POST /api/token/logout/` as a URL-encoded form carrying `csrfmiddlewaretoken`. */
function postLogoutForm(jar: CookieJar, token: string): Promise<Response> {
  return send(app, jar, 'POST', '/api/token/logout/', {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ csrfmiddlewaretoken: token }).toString(),
  });
}

/** Turns the logged-in jar into the cookies and headers a case sends. */
type Strip = (jar: CookieJar) => { jar: CookieJar; headers: Record<string, string> };

describe('CSRF on unsafe requests authenticated by the access cookie', () => {
  it.each<[string, Strip, unknown]>([
    [
      'without the csrftoken cookie',
      (jar) => ({ jar: jar.without('csrftoken'), headers: csrf(jar) }),
      COOKIE_NOT_SET,
    ],
    ['without the X-CSRFToken header', (jar) => ({ jar, headers: {} }), MISSING_OR_INCORRECT],
    [
      'with an X-CSRFToken header that is not the cookie',
      (jar) => ({ jar, headers: { 'X-CSRFToken': OTHER_CSRF_TOKEN } }),
      MISSING_OR_INCORRECT,
    ],
    [
      'with an empty X-CSRFToken header',
      (jar) => ({ jar, headers: { 'X-CSRFToken': '' } }),
      MISSING_OR_INCORRECT,
    ],
  ])(
    'refuses a request %s with 403 CSRF Failed, and the email stays',
    async (_case, strip, expected) => {
      const { user, jar } = await tokenLogin(app);
      const sent = strip(jar);
      const res = await patchEmail(app, sent.jar, 'new@example.com', sent.headers);
      await expectJson(res, 403, expected);
      expect(await emailOf(app, jar)).toBe(user.email);
    },
  );

  it.each([
    ['one character', 'a'],
    ['shorter than 32 characters', 'abc123'],
    ['not alphanumeric', '!'.repeat(64)],
  ])(
    'refuses a malformed csrftoken cookie (%s) even when the header echoes it, as Django does',
    async (_case, token) => {
      const { user, jar } = await tokenLogin(app);
      const cookie = `access_token=${jar.get('access_token')}; csrftoken=${token}`;
      const res = await call(app, '/api/me/', {
        method: 'PATCH',
        headers: { Cookie: cookie, 'X-CSRFToken': token, 'Content-Type': 'application/json' },
        body: JSON.stringify({ email: 'new@example.com' }),
      });
      await expectJson(res, 403, MISSING_OR_INCORRECT);
      expect(await emailOf(app, jar)).toBe(user.email);
    },
  );

  it.each([
    ['no Origin or Sec-Fetch-Site (X-CSRFToken equal to the csrftoken cookie)', {}],
    ['Origin equal to the request’s own origin', { Origin: ORIGIN }],
    ['Sec-Fetch-Site: same-origin', { 'Sec-Fetch-Site': 'same-origin' }],
    ['both same-origin signals', { Origin: ORIGIN, 'Sec-Fetch-Site': 'same-origin' }],
  ])(
    'accepts %s with the correct CSRF token, and the change happens',
    async (_case, headers: Record<string, string>) => {
      const { user, jar } = await tokenLogin(app);
      const email = `same-origin-${user.username}@example.com`.toLowerCase();
      const res = await patchEmail(app, jar, email, { ...csrf(jar), ...headers });
      await expectJson(res, 200, { ...publicUser(user), email });
      expect(await emailOf(app, jar)).toBe(email);
    },
  );

  it.each([
    ['a foreign Origin', { Origin: 'https://evil.example' }, 'https://evil.example'],
    ['the same host on another port', { Origin: 'http://localhost:8787' }, 'http://localhost:8787'],
    ['the https variant of the own origin', { Origin: 'https://localhost' }, 'https://localhost'],
    ['Origin: null', { Origin: 'null' }, 'null'],
    [
      'Sec-Fetch-Site: cross-site and no Origin',
      { 'Sec-Fetch-Site': 'cross-site' },
      'a cross-site request',
    ],
    [
      'Sec-Fetch-Site: same-site and no Origin',
      { 'Sec-Fetch-Site': 'same-site' },
      'a same-site request',
    ],
  ])(
    'refuses %s even with the correct CSRF token, and the email stays',
    async (_case, headers: Record<string, string>, named) => {
      const { user, jar } = await tokenLogin(app);
      const res = await patchEmail(app, jar, 'new@example.com', { ...csrf(jar), ...headers });
      await expectJson(
        res,
        403,
        csrfFailed(`Origin checking failed - ${named} does not match any trusted origins.`),
      );
      expect(await emailOf(app, jar)).toBe(user.email);
    },
  );

  it('still requires the CSRF token from the request’s own origin', async () => {
    const { user, jar } = await tokenLogin(app);
    const res = await patchEmail(app, jar, 'new@example.com', {
      Origin: ORIGIN,
      'Sec-Fetch-Site': 'same-origin',
    });
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(await emailOf(app, jar)).toBe(user.email);
  });

  it('reads the token from the header CSRF_HEADER_NAME names', async () => {
    const custom = makeApp({
      settings: { ...COOKIE_MODE, CSRF_HEADER_NAME: 'X-XSRF-TOKEN' },
      mailer: ACCEPT_MAIL,
    });
    const { user, jar } = await tokenLogin(custom);
    const refused = await patchEmail(custom, jar, 'new@example.com', csrf(jar));
    await expectJson(refused, 403, MISSING_OR_INCORRECT);
    const email = `xsrf-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(custom, jar, email, { 'X-XSRF-TOKEN': jar.get('csrftoken')! });
    await expectJson(res, 200, { ...publicUser(user), email });
  });

  it.each([
    ['a JSON list', '["https://app.example.com"]'],
    ['a comma-separated string', 'https://other.example, https://app.example.com'],
  ])(
    'accepts an origin listed in CSRF_TRUSTED_ORIGINS given as %s',
    async (_case, trustedOrigins) => {
      const trusted = trusting(trustedOrigins);
      const { user, jar } = await tokenLogin(trusted);
      const email = `trusted-${user.username}@example.com`.toLowerCase();
      const headers = {
        ...csrf(jar),
        Origin: 'https://app.example.com',
        'Sec-Fetch-Site': 'cross-site',
      };
      const res = await patchEmail(trusted, jar, email, headers);
      await expectJson(res, 200, { ...publicUser(user), email });
      expect(await emailOf(trusted, jar)).toBe(email);
    },
  );

  it('still refuses an origin CSRF_TRUSTED_ORIGINS does not list', async () => {
    const trusted = trusting('["https://app.example.com"]');
    const { user, jar } = await tokenLogin(trusted);
    const headers = { ...csrf(jar), Origin: 'https://app.example.com.evil.example' };
    const res = await patchEmail(trusted, jar, 'new@example.com', headers);
    await expectJson(
      res,
      403,
      csrfFailed(
        'Origin checking failed - https://app.example.com.evil.example does not match any trusted origins.',
      ),
    );
    expect(await emailOf(trusted, jar)).toBe(user.email);
  });

  it('accepts the token as the csrfmiddlewaretoken field of a URL-encoded form', async () => {
    const { jar } = await tokenLogin(app);
    const res = await postLogoutForm(jar, jar.get('csrftoken')!);
    await expectJson(res, 200, { detail: 'Successfully logged out.' });
    expectTokenCookiesExpired(res);
    await expect401(await me(app, jar), ACCESS_BLACKLISTED);
  });

  it('refuses a form whose csrfmiddlewaretoken is not the cookie, and the logout does not happen', async () => {
    const { user, jar } = await tokenLogin(app);
    const res = await postLogoutForm(jar, OTHER_CSRF_TOKEN);
    await expectJson(res, 403, MISSING_OR_INCORRECT);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(await emailOf(app, jar)).toBe(user.email);
  });
});
