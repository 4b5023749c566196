/**
 * The browsable-API login form at `/api-auth/login/` (the `session_login_*`
 * cases of shared/drf-reference.md): the form, its CSRF protection
 * (deliberate difference 7: the login form itself is protected), a login
 * with credentials, HTML escaping of everything the page reflects, and the
 * stylesheet.
 */
import { describe, expect, it } from 'vitest';
import { STYLESHEET } from '../src/html/pages';
import {
  PASSWORD,
  call,
  expectJson,
  makeApp,
  makeUser,
  markInactive,
  me,
  publicUser,
  type TestUser,
} from './helpers';
import { CSRF_TOKEN, CookieJar, OTHER_CSRF_TOKEN, SESSION_ID, setCookies } from './helpers/browser';
import {
  BAD_LOGIN,
  NEVER_CACHE,
  controls,
  expectCsrfFailurePage,
  expectNoScript,
  expectPageHeaders,
  openForm,
  postForm,
  submitLogin,
} from './helpers/pages';

const app = makeApp();

describe('GET /api-auth/login/ (session_login_form)', () => {
  it('answers a never-cached HTML form under a script-free Content-Security-Policy', async () => {
    const res = await call(app, '/api-auth/login/');
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expectNoScript(html);
    expect(html).toMatch(/^<!doctype html>\n<html lang="en">/);
    expect(html).toContain('<link rel="stylesheet" href="/api-auth/style.css">');
    expect(html).toContain('<form method="post" action="/api-auth/login/">');
  });

  it('has the fields csrfmiddlewaretoken, next, username, password and submit, labelled', async () => {
    const { jar, html } = await openForm(app);
    const fields = controls(html);
    expect(Object.keys(fields).sort()).toEqual([
      'csrfmiddlewaretoken',
      'next',
      'password',
      'submit',
      'username',
    ]);
    expect(fields.csrfmiddlewaretoken).toEqual({
      type: 'hidden',
      name: 'csrfmiddlewaretoken',
      value: jar.get('csrftoken')!,
    });
    expect(fields.next).toEqual({ type: 'hidden', name: 'next', value: '' });
    expect(fields.username).toMatchObject({ type: 'text', id: 'id_username', value: '' });
    expect(fields.username!.autocomplete).toBe('username');
    expect(fields.password).toMatchObject({ type: 'password', id: 'id_password' });
    expect(fields.password!.autocomplete).toBe('current-password');
    expect(fields.password).not.toHaveProperty('value');
    expect(fields.submit).toMatchObject({ type: 'submit' });
    expect(html).toContain('<label for="id_username">Username</label>');
    expect(html).toContain('<label for="id_password">Password</label>');
  });

  it('sets a 64-character csrftoken cookie, readable by scripts, Secure, SameSite=Lax', async () => {
    const res = await call(app, '/api-auth/login/');
    expect(res.headers.getSetCookie()).toHaveLength(1);
    const { csrftoken } = setCookies(res);
    expect(csrftoken!.value).toMatch(CSRF_TOKEN);
    expect(csrftoken!.attributes).toEqual({
      'max-age': '31449600',
      path: '/',
      secure: true,
      samesite: 'Lax',
    });
  });

  it('reuses the csrftoken the browser already holds and sets no cookie', async () => {
    const res = await call(app, '/api-auth/login/', {
      headers: { Cookie: `csrftoken=${OTHER_CSRF_TOKEN}` },
    });
    expect(res.status).toBe(200);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect(controls(await res.text()).csrfmiddlewaretoken!.value).toBe(OTHER_CSRF_TOKEN);
  });

  it('replaces a malformed csrftoken cookie', async () => {
    const res = await call(app, '/api-auth/login/', { headers: { Cookie: 'csrftoken=short' } });
    const { csrftoken } = setCookies(res);
    expect(csrftoken!.value).toMatch(CSRF_TOKEN);
    expect(controls(await res.text()).csrfmiddlewaretoken!.value).toBe(csrftoken!.value);
  });

  it('carries a same-site ?next= into the hidden field', async () => {
    const { html } = await openForm(app, `?next=${encodeURIComponent('/app/report.html?x=1')}`);
    expect(controls(html).next!.value).toBe('/app/report.html?x=1');
  });
});

describe('POST /api-auth/login/ CSRF (session_login_no_csrf)', () => {
  it('refuses a form without the CSRF cookie and field with Django’s 403 page', async () => {
    const user = await makeUser(app);
    const res = await postForm(app, '/api-auth/login/', new CookieJar(), {
      username: user.username,
      password: PASSWORD,
    });
    await expectCsrfFailurePage(res);
    expect(res.headers.getSetCookie()).toEqual([]);
  });

  const TOKEN = 'B'.repeat(64);

  /** A login form post: whether the CSRF cookie is sent, the field, extra headers. */
  interface Attempt {
    cookie: boolean;
    field?: string;
    headers?: Record<string, string>;
  }

  it.each<[string, Attempt]>([
    ['the cookie but no field', { cookie: true }],
    ['the field but no cookie', { cookie: false, field: TOKEN }],
    ['a field that is not the cookie', { cookie: true, field: OTHER_CSRF_TOKEN }],
    [
      'a matching pair from a foreign Origin',
      { cookie: true, field: TOKEN, headers: { Origin: 'https://evil.example' } },
    ],
    [
      'a matching pair in a cross-site request',
      { cookie: true, field: TOKEN, headers: { 'Sec-Fetch-Site': 'cross-site' } },
    ],
  ])('refuses %s, and no session starts', async (_case, attempt) => {
    const user = await makeUser(app);
    const jar = attempt.cookie ? new CookieJar().set('csrftoken', TOKEN) : new CookieJar();
    const field: Record<string, string> =
      attempt.field === undefined ? {} : { csrfmiddlewaretoken: attempt.field };
    const res = await postForm(
      app,
      '/api-auth/login/',
      jar,
      { ...field, username: user.username, password: PASSWORD },
      attempt.headers,
    );
    await expectCsrfFailurePage(res);
    expect(setCookies(res)).not.toHaveProperty('sessionid');
  });

  it('accepts the token in X-CSRFToken instead of the form field', async () => {
    const user = await makeUser(app);
    const { jar } = await openForm(app);
    const res = await postForm(
      app,
      '/api-auth/login/',
      jar,
      { username: user.username, password: PASSWORD },
      { 'X-CSRFToken': jar.get('csrftoken')! },
    );
    expect(res.status).toBe(302);
  });
});

describe('POST /api-auth/login/ with credentials', () => {
  it('session_login_ok: 302 to LOGIN_REDIRECT_URL with sessionid and a rotated csrftoken', async () => {
    const user = await makeUser(app);
    const { res, jar, formToken } = await submitLogin(app, user);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
    expect(res.headers.get('Vary')).toBe('Cookie');
    expect(await res.text()).toBe('');

    const { sessionid, csrftoken } = setCookies(res);
    expect(sessionid!.value).toMatch(SESSION_ID);
    expect(SESSION_ID.exec(sessionid!.value)![1]).toBe(String(user.id));
    expect(sessionid!.attributes).toEqual({
      'max-age': '1209600',
      path: '/',
      httponly: true,
      secure: true,
      samesite: 'Lax',
    });
    expect(csrftoken!.value).toMatch(CSRF_TOKEN);
    expect(csrftoken!.value).not.toBe(formToken);

    await expectJson(await me(app, jar), 200, publicUser(user));
  });

  it('redirects to the reference’s LOGIN_REDIRECT_URL when it is set', async () => {
    const reference = makeApp({ settings: { LOGIN_REDIRECT_URL: '/api/me/' } });
    const user = await makeUser(reference);
    const { res } = await submitLogin(reference, user);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api/me/');
  });

  it('keeps a same-site next with its query and fragment', async () => {
    const user = await makeUser(app);
    const { res } = await submitLogin(app, user, '/app/report.html?x=1#top');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/app/report.html?x=1#top');
  });

  it.each([
    ['a wrong password', (user: TestUser) => ({ username: user.username, password: 'wrong' })],
    ['an unknown user', () => ({ username: 'nobody-at-all', password: PASSWORD })],
    ['a blank password', (user: TestUser) => ({ username: user.username, password: '' })],
    ['a blank username', () => ({ username: '', password: PASSWORD })],
    [
      'an inactive user',
      async (user: TestUser) => {
        await markInactive(user);
        return { username: user.username, password: PASSWORD };
      },
    ],
  ])(
    'session_login_wrong_password: %s re-shows the form with Django’s error and no session',
    async (_case, fields) => {
      const user = await makeUser(app);
      const credentials = await fields(user);
      const { res } = await submitLogin(app, credentials, '/app/');
      expect(res.status).toBe(200);
      expectPageHeaders(res);
      expect(setCookies(res)).not.toHaveProperty('sessionid');
      const html = await res.text();
      expectNoScript(html);
      expect(html).toContain(`<p class="error" id="login-error" role="alert">${BAD_LOGIN}</p>`);
      const shown = controls(html);
      expect(Object.keys(shown).sort()).toEqual([
        'csrfmiddlewaretoken',
        'next',
        'password',
        'submit',
        'username',
      ]);
      expect(shown.username!.value).toBe(credentials.username);
      expect(shown.username!['aria-describedby']).toBe('login-error');
      expect(shown.password).not.toHaveProperty('value');
      expect(shown.next!.value).toBe('/app/');
    },
  );

  it('never writes the password into the page', async () => {
    const user = await makeUser(app);
    const { res } = await submitLogin(app, { username: user.username, password: 'Secret-Typo-42' });
    expect(await res.text()).not.toContain('Secret-Typo-42');
  });
});

describe('HTML escaping', () => {
  it('escapes a reflected next: & and quotes in the hidden field, and markup never appears', async () => {
    const { html } = await openForm(app, `?next=${encodeURIComponent("/app/?a=1&b=2#'x'")}`);
    expect(html).toContain('name="next" value="/app/?a=1&amp;b=2#&#x27;x&#x27;"');

    const attack = await openForm(
      app,
      `?next=${encodeURIComponent('/app/"><script>alert(1)</script>')}`,
    );
    expectNoScript(attack.html);
    expect(controls(attack.html).next!.value).toBe('/app/%22%3E%3Cscript%3Ealert(1)%3C/script%3E');
  });

  it('escapes a reflected username after a failed login', async () => {
    const username = `"><script>alert(1)</script><b x='`;
    const { res } = await submitLogin(app, { username, password: 'wrong' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectNoScript(html);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b x=&#x27;"');
  });
});

describe('GET /api-auth/style.css', () => {
  it('serves the stylesheet as text/css, cacheable, without cookies', async () => {
    const res = await call(app, '/api-auth/style.css');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(res.headers.getSetCookie()).toEqual([]);
    const css = await res.text();
    expect(css).toBe(STYLESHEET);
    expect(css).toContain('.error {');
  });
});
