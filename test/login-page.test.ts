/**
 * The browsable-API login under `/api-auth/`: the HTML form (the
 * `session_login_*` cases of shared/drf-reference.md), its CSRF protection
 * (deliberate difference 7: the login form itself is protected), the `next`
 * parameter (only same-site paths: open-redirect attempts fall back to the
 * default), the logout confirmation and logout, the stylesheet, and HTML
 * escaping of everything the page reflects.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { StorageUnavailableError } from '../src/errors';
import { STYLESHEET } from '../src/html/pages';
import { cloudflareStores } from '../src/storage/cloudflare';
import type { Bindings } from '../src/env';
import {
  PASSWORD,
  call,
  makeApp,
  makeUser,
  unreachableKV,
  type App,
  type TestUser,
} from './helpers';
import { CookieJar, expectSessionCookieDeleted, setCookies } from './helpers/browser';

const app = makeApp();

const HTML = 'text/html; charset=UTF-8';
const NEVER_CACHE = 'max-age=0, no-cache, no-store, must-revalidate, private';
const CSRF_TOKEN = /^[A-Za-z0-9]{64}$/;
const SESSION_ID = /^(\d+)\.([a-z0-9]{32})$/;
const OTHER_CSRF_TOKEN = 'A'.repeat(64);
const BAD_LOGIN =
  'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** The `<input>`s and `<button>`s of a page: name → its attributes (values still escaped). */
function controls(html: string): Record<string, Record<string, string>> {
  const found: Record<string, Record<string, string>> = {};
  for (const [, tag] of html.matchAll(/<(?:input|button) ([^>]*)>/g)) {
    const attributes: Record<string, string> = {};
    for (const [, name, value] of tag!.matchAll(/([a-z-]+)(?:="([^"]*)")?/g)) {
      attributes[name!] = value ?? '';
    }
    found[attributes.name!] = attributes;
  }
  return found;
}

/** GETs the login form; the jar keeps its CSRF cookie. */
async function openForm(target: App = app, query = ''): Promise<{ jar: CookieJar; html: string }> {
  const res = await call(target, `/api-auth/login/${query}`);
  expect(res.status).toBe(200);
  return { jar: new CookieJar().store(res), html: await res.text() };
}

function postForm(
  target: App,
  path: string,
  jar: CookieJar,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(target, path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...jar.headers(),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Submits the login form as a browser would after GETting it. */
async function submitLogin(
  user: { username: string; password: string },
  next = '',
  target: App = app,
): Promise<{ res: Response; jar: CookieJar; formToken: string }> {
  const { jar } = await openForm(target);
  const formToken = jar.get('csrftoken')!;
  const res = await postForm(target, '/api-auth/login/', jar, {
    csrfmiddlewaretoken: formToken,
    next,
    username: user.username,
    password: user.password,
  });
  return { res, jar: jar.store(res), formToken };
}

function me(jar: CookieJar, target: App = app) {
  return call(target, '/api/me/', { headers: jar.headers() });
}

function expectPageHeaders(res: Response) {
  expect(res.headers.get('Content-Type')).toBe(HTML);
  expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
  expect(res.headers.get('Vary')).toBe('Cookie');
  expect(res.headers.get('X-Frame-Options')).toBe('DENY');
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  const policy = new Map(
    res.headers
      .get('Content-Security-Policy')!
      .split(';')
      .map((directive) => directive.trim().split(/\s+/))
      .map(([name, ...values]) => [name!, values.join(' ')]),
  );
  expect(policy.get('default-src')).toBe("'none'");
  expect(policy.get('style-src')).toBe("'self'");
  expect(policy.get('form-action')).toBe("'self'");
  expect(policy.get('frame-ancestors')).toBe("'none'");
  expect(policy.has('script-src')).toBe(false);
  expect(res.headers.get('Content-Security-Policy')).not.toContain('unsafe-inline');
}

/** No script anywhere, and nothing inline that the policy would have to allow. */
function expectNoScript(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/javascript:/i);
}

async function expectCsrfFailurePage(res: Response) {
  expect(res.status).toBe(403);
  expectPageHeaders(res);
  const html = await res.text();
  expect(html).toContain('<title>403 Forbidden</title>');
  expect(html).toContain('<h1>Forbidden (403)</h1>');
  expect(html).toContain('<p>CSRF verification failed. Request aborted.</p>');
  expectNoScript(html);
}

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
    const { jar, html } = await openForm();
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
    const { jar } = await openForm();
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
    const { res, jar, formToken } = await submitLogin(user);
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

    const res2 = await me(jar);
    expect(res2.status).toBe(200);
    expect(await res2.json()).toEqual({ id: user.id, username: user.username, email: user.email });
  });

  it('redirects to the reference’s LOGIN_REDIRECT_URL when it is set', async () => {
    const reference = makeApp({ settings: { LOGIN_REDIRECT_URL: '/api/me/' } });
    const user = await makeUser(reference);
    const { res } = await submitLogin(user, '', reference);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api/me/');
  });

  it('keeps a same-site next with its query and fragment', async () => {
    const user = await makeUser(app);
    const { res } = await submitLogin(user, '/app/report.html?x=1#top');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/app/report.html?x=1#top');
  });

  it('ends a session the browser already had (fixation) and starts a new one', async () => {
    const user = await makeUser(app);
    const first = await submitLogin(user);
    const oldSession = first.jar.get('sessionid')!;
    const res = await postForm(app, '/api-auth/login/', first.jar, {
      csrfmiddlewaretoken: first.jar.get('csrftoken')!,
      username: user.username,
      password: PASSWORD,
    });
    expect(res.status).toBe(302);
    const newSession = setCookies(res).sessionid!.value;
    expect(newSession).toMatch(SESSION_ID);
    expect(newSession).not.toBe(oldSession);
    const old = await me(new CookieJar().set('sessionid', oldSession));
    expect(old.status).toBe(401);
  });

  it.each([
    ['a wrong password', (user: TestUser) => ({ username: user.username, password: 'wrong' })],
    ['an unknown user', () => ({ username: 'nobody-at-all', password: PASSWORD })],
    ['a blank password', (user: TestUser) => ({ username: user.username, password: '' })],
    ['a blank username', () => ({ username: '', password: PASSWORD })],
  ])(
    'session_login_wrong_password: %s re-shows the form with Django’s error and no session',
    async (_case, fields) => {
      const user = await makeUser(app);
      const credentials = fields(user);
      const { res } = await submitLogin(credentials, '/app/');
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

  it('answers an inactive user like a wrong password', async () => {
    const user = await makeUser(app);
    await env.DB.prepare('UPDATE users SET is_active = 0 WHERE id = ?').bind(user.id).run();
    const { res } = await submitLogin(user);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain(BAD_LOGIN);
    expect(setCookies(res)).not.toHaveProperty('sessionid');
  });

  it('never writes the password into the page', async () => {
    const user = await makeUser(app);
    const { res } = await submitLogin({ username: user.username, password: 'Secret-Typo-42' });
    expect(await res.text()).not.toContain('Secret-Typo-42');
  });
});

/** `next` values that would leave the site; each must fall back to the default. */
const OPEN_REDIRECTS: Array<[string, string]> = [
  ['an absolute URL', 'https://evil.example/'],
  ['a scheme-relative URL', '//evil.example'],
  ['a backslash after the slash', '/\\evil.example'],
  ['a tab after the slash', '/\t/evil.example'],
  ['a scheme without slashes', 'http:evil.example'],
  ['a javascript: URL', 'javascript:alert(1)'],
  ['a leading space', ' /app/'],
  ['two backslashes', '\\\\evil'],
  ['a dot segment before //', '/.//evil.example'],
  ['a dot-dot segment before //', '/..//evil.example'],
  ['a percent-encoded dot segment before //', '/%2e//evil.example'],
  ['a folder and a dot-dot segment before //', '/app/..//evil.example'],
];

describe('open-redirect attempts on next', () => {
  it.each(OPEN_REDIRECTS)(
    'a login with %s as next goes to LOGIN_REDIRECT_URL instead',
    async (_case, next) => {
      const user = await makeUser(app);
      const { res } = await submitLogin(user, next);
      expect(res.status).toBe(302);
      expect(res.headers.get('Location')).toBe('/');
    },
  );

  it.each(OPEN_REDIRECTS)(
    'the login form drops %s from its hidden next field',
    async (_case, next) => {
      const { html } = await openForm(app, `?next=${encodeURIComponent(next)}`);
      expect(controls(html).next!.value).toBe('');
    },
  );

  it('keeps /%2F%2Fevil.example: a path on this site, whose encoded slashes browsers never decode into a host', async () => {
    // Decision: a browser resolves `Location: /%2F%2Fevil.example` against this
    // origin and requests that path here; `%2F` stays data, never a separator.
    const user = await makeUser(app);
    const { res } = await submitLogin(user, '/%2F%2Fevil.example');
    expect(res.status).toBe(302);
    const location = res.headers.get('Location')!;
    expect(location).toBe('/%2F%2Fevil.example');
    expect(new URL(location, 'https://site.example').origin).toBe('https://site.example');
  });

  it.each(OPEN_REDIRECTS)(
    'a logout with %s as next goes to LOGOUT_REDIRECT_URL instead',
    async (_case, next) => {
      const user = await makeUser(app);
      const { jar } = await submitLogin(user);
      const res = await postForm(app, '/api-auth/logout/', jar, {
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        next,
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('Location')).toBe('/');
    },
  );
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
    const { res } = await submitLogin({ username, password: 'wrong' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expectNoScript(html);
    expect(html).toContain('value="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;&lt;b x=&#x27;"');
  });
});

describe('/api-auth/logout/', () => {
  it('GET shows a confirmation form to a logged-in user and does not log out', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(user);
    const res = await call(app, '/api-auth/logout/', { headers: jar.headers() });
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expectNoScript(html);
    expect(html).toContain(`<p>You are logged in as <strong>${user.username}</strong>.</p>`);
    expect(html).toContain('<form method="post" action="/api-auth/logout/">');
    expect(controls(html)).toEqual({
      csrfmiddlewaretoken: {
        type: 'hidden',
        name: 'csrfmiddlewaretoken',
        value: jar.get('csrftoken')!,
      },
      submit: { type: 'submit', name: 'submit' },
    });
    expect((await me(jar)).status).toBe(200);
  });

  it('GET redirects an anonymous browser to LOGIN_URL', async () => {
    const res = await call(app, '/api-auth/logout/');
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api-auth/login/');
  });

  it('GET with a dead session redirects to LOGIN_URL and deletes the cookie', async () => {
    const res = await call(app, '/api-auth/logout/', {
      headers: { Cookie: `sessionid=1.${'z'.repeat(32)}` },
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api-auth/login/');
    expectSessionCookieDeleted(res);
  });

  it('session_logout_no_csrf: POST without the CSRF field → 403 HTML, and the session lives', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(user);
    const res = await postForm(app, '/api-auth/logout/', jar, {});
    await expectCsrfFailurePage(res);
    expect(res.headers.getSetCookie()).toEqual([]);
    expect((await me(jar)).status).toBe(200);
  });

  it('session_logout: POST with CSRF → 302 to LOGOUT_REDIRECT_URL, cookie deleted, session ended', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(user);
    const sessionJar = jar.without();
    const res = await postForm(app, '/api-auth/logout/', jar, {
      csrfmiddlewaretoken: jar.get('csrftoken')!,
    });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/');
    expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
    expect(await res.text()).toBe('');
    expectSessionCookieDeleted(res);
    const after = await me(sessionJar);
    expect(after.status).toBe(401);
    expectSessionCookieDeleted(after);
  });

  it('goes to a custom LOGOUT_REDIRECT_URL, or to a same-site next', async () => {
    const custom = makeApp({ settings: { LOGOUT_REDIRECT_URL: '/api/public/' } });
    const user = await makeUser(custom);
    for (const [next, location] of [
      ['', '/api/public/'],
      ['/app/', '/app/'],
    ]) {
      const { jar } = await submitLogin(user, '', custom);
      const res = await postForm(custom, '/api-auth/logout/', jar, {
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        next: next!,
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('Location')).toBe(location);
    }
  });
});

describe('errors on the HTML pages', () => {
  it.each([
    ['a method the page lacks', '/api-auth/login/', 'PUT', 405, 'Method "PUT" not allowed.'],
    ['a method the page lacks', '/api-auth/logout/', 'DELETE', 405, 'Method "DELETE" not allowed.'],
  ])(
    'answers %s on %s as an HTML page with the status and Allow',
    async (_c, path, method, status, detail) => {
      const res = await call(app, path, { method });
      expect(res.status).toBe(status);
      expect(res.headers.get('Content-Type')).toBe(HTML);
      expect(res.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
      expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
      const page = await res.text();
      expect(page).toContain(`<h1>Method Not Allowed (405)</h1>`);
      expect(page).toContain(detail.replaceAll('"', '&quot;'));
    },
  );

  it('answers a body it cannot read as an HTML 415 page', async () => {
    const { jar } = await openForm();
    const res = await call(app, '/api-auth/login/', {
      method: 'POST',
      headers: {
        Cookie: jar.header(),
        'X-CSRFToken': jar.get('csrftoken')!,
        'Content-Type': 'text/plain',
      },
      body: 'username=alice',
    });
    expect(res.status).toBe(415);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(await res.text()).toContain('<h1>Unsupported Media Type (415)</h1>');
  });

  it('answers the logout page with an HTML 503 when KV is unreachable, never as logged out', async () => {
    const down = makeApp({ bindings: { KV: unreachableKV() } });
    const res = await call(down, '/api-auth/logout/', {
      headers: { Cookie: 'sessionid=1.abcdefghijklmnopqrstuvwxyz012345' },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(res.headers.get('Retry-After')).toBe('5');
    expect(await res.text()).toContain('<h1>Service Unavailable (503)</h1>');
  });
});

describe('client errors on the login pages are pages, not JSON', () => {
  const BOUNDARY = 'b0undary';
  const cases: [string, string, number, string, string | Uint8Array, string][] = [
    [
      'a multipart form without its closing boundary',
      '/api-auth/login/',
      400,
      `multipart/form-data; boundary=${BOUNDARY}`,
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="username"\r\n\r\nx\r\n`,
      'Multipart form parse error - Invalid boundary in multipart.',
    ],
    [
      'a JSON list',
      '/api-auth/logout/',
      400,
      'application/json',
      '[1]',
      'Invalid data. Expected a dictionary, but got list.',
    ],
    [
      'a body over DATA_UPLOAD_MAX_MEMORY_SIZE',
      '/api-auth/login/',
      413,
      'application/x-www-form-urlencoded',
      `password=${'p'.repeat(70_000)}`,
      'Request body exceeded 65536 bytes.',
    ],
    [
      'a body of an unsupported type',
      '/api-auth/logout/',
      415,
      'text/plain',
      'username=x',
      'Unsupported media type &quot;text/plain&quot; in request.',
    ],
  ];

  it.each(cases)(
    'answers %s on %s with an HTML page of its status',
    async (_, path, status, type, body, text) => {
      const { jar } = await openForm();
      const res = await call(app, path, {
        method: 'POST',
        headers: { 'Content-Type': type, ...jar.headers(), 'X-CSRFToken': jar.get('csrftoken')! },
        body,
      });
      expect(res.status).toBe(status);
      expect(res.headers.get('Content-Type')).toBe(HTML);
      expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
      expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
      const html = await res.text();
      expect(html).toContain(`<h1>`);
      expect(html).toContain(`(${status})</h1>`);
      expect(html).toContain(`<p>${text}</p>`);
    },
  );
});

describe('a login whose last write fails', () => {
  /** Real stores, except that recording the login fails as D1 would. */
  function failingRecordLogin(): App {
    const stores = cloudflareStores(env as unknown as Bindings);
    const users = new Proxy(stores.users, {
      get(target, name) {
        if (name === 'recordLogin') {
          return async () => {
            throw new StorageUnavailableError('d1', new Error('write failed'));
          };
        }
        const value = Reflect.get(target, name) as unknown;
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    return makeApp({ stores: { ...stores, users } });
  }

  it('answers 503 on the HTML form and sets no session cookie', async () => {
    const down = failingRecordLogin();
    const user = await makeUser(app);
    const { res } = await submitLogin(user, '', down);
    expect(res.status).toBe(503);
    expect(res.headers.get('Content-Type')).toBe(HTML);
    expect(Object.keys(setCookies(res))).not.toContain('sessionid');
  });

  it('answers 503 on POST /api/auth/login/ and sets no session cookie', async () => {
    const down = failingRecordLogin();
    const user = await makeUser(app);
    const res = await call(down, '/api/auth/login/', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ username: user.username, password: user.password }),
    });
    expect(res.status).toBe(503);
    expect(await res.json()).toMatchObject({ code: 'service_unavailable' });
    expect(Object.keys(setCookies(res))).not.toContain('sessionid');
  });
});

describe('a logout whose body cannot be read', () => {
  it('answers the error page and leaves the session alive: nothing was done', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(user);
    const res = await call(app, '/api-auth/logout/', {
      method: 'POST',
      headers: {
        ...jar.headers(),
        'X-CSRFToken': jar.get('csrftoken')!,
        'Content-Type': 'text/plain',
      },
      body: 'next=/',
    });
    expect(res.status).toBe(415);
    expect(Object.keys(setCookies(res))).not.toContain('sessionid');
    const me = await call(app, '/api/me/', { headers: jar.headers() });
    expect(me.status).toBe(200);
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
