/**
 * `Sec-Fetch-Site` outranks `Origin` in every CSRF check: a cookie-authenticated
 * unsafe request, or a login, that the browser marks `cross-site` or
 * `same-site` is refused unless its origin is in `CSRF_TRUSTED_ORIGINS`, even
 * when its `Origin` header names this site (a sibling subdomain can send
 * that, and the browser's own verdict is the stronger signal). Every case
 * carries a correct CSRF token, so only this rule can refuse it. `Origin: null`
 * (a page that sends no referrer) passes only when the browser says `same-origin`.
 */
import { describe, expect, it } from 'vitest';
import {
  ACCEPT_MAIL,
  PASSWORD,
  call,
  expectJson,
  makeApp,
  makeUser,
  me,
  publicUser,
  type App,
} from './helpers';
import {
  CookieJar,
  csrf,
  csrfFailed,
  formLogin,
  jsonLogin,
  send,
  setCookies,
} from './helpers/browser';
import { COOKIE_MODE, emailOf, patchEmail, tokenLogin } from './helpers/cookie-mode';
import { expectCsrfFailurePage } from './helpers/pages';

const OWN_ORIGIN = 'http://localhost';
const TRUSTED = 'https://app.example.com';
const SITES = ['cross-site', 'same-site'] as const;

const sessions = makeApp({
  settings: { DEFAULT_AUTHENTICATION_CLASSES: 'SessionAuthentication' },
  mailer: ACCEPT_MAIL,
});
const cookieMode = makeApp({ settings: COOKIE_MODE, mailer: ACCEPT_MAIL });

/** The refusal, with DRF's text, for a request whose `Origin` is this site. */
const REFUSED = csrfFailed(
  `Origin checking failed - ${OWN_ORIGIN} does not match any trusted origins.`,
);

/** The headers of a browser's request from this site's own origin, marked `site`. */
function fromOwnOrigin(site: string): Record<string, string> {
  return { Origin: OWN_ORIGIN, 'Sec-Fetch-Site': site };
}

function trusting(settings: Record<string, string>): App {
  return makeApp({ settings: { ...settings, CSRF_TRUSTED_ORIGINS: TRUSTED }, mailer: ACCEPT_MAIL });
}

describe.each(SITES)('Sec-Fetch-Site: %s with Origin equal to this site', (site) => {
  it('session authentication: PATCH /api/me/ is refused with 403, and the email stays', async () => {
    const { user, jar } = await jsonLogin(sessions, await makeUser(sessions));
    const res = await patchEmail(sessions, jar, 'new@example.com', {
      ...csrf(jar),
      ...fromOwnOrigin(site),
    });
    await expectJson(res, 403, REFUSED);
    expect(await emailOf(sessions, jar)).toBe(user.email);
  });

  it('JWT cookie mode: PATCH /api/me/ is refused with 403, and the email stays', async () => {
    const { user, jar } = await tokenLogin(cookieMode);
    const res = await patchEmail(cookieMode, jar, 'new@example.com', {
      ...csrf(jar),
      ...fromOwnOrigin(site),
    });
    await expectJson(res, 403, REFUSED);
    expect(await emailOf(cookieMode, jar)).toBe(user.email);
  });

  it('JWT cookie mode: the refresh cookie does not refresh', async () => {
    const { jar } = await tokenLogin(cookieMode);
    const res = await send(cookieMode, jar, 'POST', '/api/token/refresh/', {
      headers: { ...csrf(jar), 'Content-Type': 'application/json', ...fromOwnOrigin(site) },
      body: '{}',
    });
    await expectJson(res, 403, REFUSED);
  });

  it('JWT cookie mode: POST /api/token/ sets no cookie (login CSRF)', async () => {
    const user = await makeUser(cookieMode);
    const res = await call(cookieMode, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...fromOwnOrigin(site) },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    await expectJson(res, 403, REFUSED);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('JSON login: POST /api/auth/login/ is refused with 403 and starts no session', async () => {
    const user = await makeUser(sessions);
    const res = await call(sessions, '/api/auth/login/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...fromOwnOrigin(site) },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    await expectJson(res, 403, REFUSED);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  it('HTML login form: Django’s 403 page, and no session starts', async () => {
    const user = await makeUser(sessions);
    const jar = new CookieJar().store(await call(sessions, '/api-auth/login/'));
    const token = jar.get('csrftoken')!;
    const res = await send(sessions, jar, 'POST', '/api-auth/login/', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...fromOwnOrigin(site) },
      body: new URLSearchParams({
        csrfmiddlewaretoken: token,
        username: user.username,
        password: PASSWORD,
      }).toString(),
    });
    await expectCsrfFailurePage(res);
    expect(setCookies(res)).not.toHaveProperty('sessionid');
  });

  it('HTML logout form: Django’s 403 page, and the session goes on', async () => {
    const { user, jar } = await formLogin(sessions, await makeUser(sessions));
    const res = await send(sessions, jar, 'POST', '/api-auth/logout/', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...fromOwnOrigin(site) },
      body: new URLSearchParams({ csrfmiddlewaretoken: jar.get('csrftoken')! }).toString(),
    });
    await expectCsrfFailurePage(res);
    await expectJson(await me(sessions, jar), 200, publicUser(user));
  });
});

describe.each(SITES)('Sec-Fetch-Site: %s from an origin in CSRF_TRUSTED_ORIGINS', (site) => {
  const headers = { Origin: TRUSTED, 'Sec-Fetch-Site': site };

  it('session authentication: PATCH /api/me/ goes through', async () => {
    const app = trusting({ DEFAULT_AUTHENTICATION_CLASSES: 'SessionAuthentication' });
    const { user, jar } = await jsonLogin(app, await makeUser(app));
    const email = `trusted-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(app, jar, email, { ...csrf(jar), ...headers });
    await expectJson(res, 200, { ...publicUser(user), email });
  });

  it('JSON login: POST /api/auth/login/ logs in', async () => {
    const app = trusting({});
    const user = await makeUser(app);
    const browser = await jsonLogin(app, user, headers);
    await expectJson(await me(app, browser.jar), 200, publicUser(user));
  });

  it('JWT cookie mode: POST /api/token/ logs in', async () => {
    const app = trusting(COOKIE_MODE);
    const user = await makeUser(app);
    const res = await call(app, '/api/token/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', ...headers },
      body: JSON.stringify({ username: user.username, password: PASSWORD }),
    });
    expect(res.status).toBe(200);
  });
});

describe('same-origin requests are unchanged', () => {
  it('Sec-Fetch-Site: same-origin with Origin equal to this site passes', async () => {
    const { user, jar } = await jsonLogin(sessions, await makeUser(sessions));
    const email = `same-${user.username}@example.com`.toLowerCase();
    const res = await patchEmail(sessions, jar, email, {
      ...csrf(jar),
      ...fromOwnOrigin('same-origin'),
    });
    await expectJson(res, 200, { ...publicUser(user), email });
  });
});

describe('Origin: null, as a browser sends it from a page with Referrer-Policy: no-referrer', () => {
  /** Posts the HTML login form with these headers and a correct CSRF token. */
  async function postLogin(headers: Record<string, string>) {
    const user = await makeUser(sessions);
    const jar = new CookieJar().store(await call(sessions, '/api-auth/login/'));
    return send(sessions, jar, 'POST', '/api-auth/login/', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams({
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        username: user.username,
        password: PASSWORD,
      }).toString(),
    });
  }

  it('passes when the browser marks the request same-origin', async () => {
    const res = await postLogin({ Origin: 'null', 'Sec-Fetch-Site': 'same-origin' });
    expect(res.status).toBe(302);
  });

  it.each<Record<string, string>>([
    {},
    { 'Sec-Fetch-Site': 'cross-site' },
    { 'Sec-Fetch-Site': 'same-site' },
  ])('is refused without that verdict (%j): a sandboxed frame sends it too', async (fetchSite) => {
    const res = await postLogin({ Origin: 'null', ...fetchSite });
    await expectCsrfFailurePage(res);
    expect(setCookies(res)).not.toHaveProperty('sessionid');
  });
});
