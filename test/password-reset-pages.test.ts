/**
 * The "forgot password" pages under `/api-auth/password/reset/`: the link
 * from the login page, the request form, the page the mail links to (which
 * changes nothing when opened), the form that sets the password, their CSRF
 * protection, and their headers (never cached, no referrer, no script).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { call, expectJson, makeApp, makeUser, postJson, type App } from './helpers';
import { CookieJar, formLogin } from './helpers/browser';
import { controls, expectCsrfFailurePage, expectNoScript, postForm } from './helpers/pages';
import {
  NEW_PASSWORD,
  RESET_DONE,
  confirmReset,
  devApp,
  linkIn,
  mailsTo,
  resetLinkFor,
  type ResetLink,
} from './helpers/password-reset';

beforeEach(() => {
  vi.spyOn(console, 'log').mockImplementation(() => {});
});
afterEach(() => vi.restoreAllMocks());

const REQUEST = '/api-auth/password/reset/';
const CONFIRM = '/api-auth/password/reset/confirm/';
const NEVER_CACHE = 'max-age=0, no-cache, no-store, must-revalidate, private';

/** A reset page: HTML, never cached, no referrer, no script. */
async function pageOf(res: Response, status: number): Promise<string> {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
  expect(res.headers.get('Cache-Control')).toBe(NEVER_CACHE);
  expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
  expect(res.headers.get('Content-Security-Policy')).toContain("default-src 'none'");
  const html = await res.text();
  expectNoScript(html);
  return html;
}

async function open(app: App, path: string, jar = new CookieJar()) {
  const res = await call(app, path, { headers: jar.headers(path) });
  jar.store(res);
  return { res, jar };
}

function linkPath(link: ResetLink): string {
  return new URL(link.url).pathname;
}

/** What a browser sends with a form from a page that has `Referrer-Policy: no-referrer`. */
const FROM_NO_REFERRER_PAGE = { Origin: 'null', 'Sec-Fetch-Site': 'same-origin' };

/** Opens the mail's link and submits the form it shows with these passwords, as a browser does. */
async function submitNewPassword(app: App, link: ResetLink, password: string, again = password) {
  const { res, jar } = await open(app, linkPath(link));
  const fields = controls(await res.text());
  const form = {
    csrfmiddlewaretoken: fields.csrfmiddlewaretoken!.value!,
    uid: fields.uid!.value!,
    token: fields.token!.value!,
    new_password1: password,
    new_password2: again,
  };
  return postForm(app, CONFIRM, jar, form, FROM_NO_REFERRER_PAGE);
}

describe('the login page', () => {
  it('links to the "forgot password" page when mail can be sent', async () => {
    const html = await (await call(devApp(), '/api-auth/login/')).text();
    expect(html).toContain(`<a href="${REQUEST}">Forgot your password?</a>`);
  });

  it('has no such link in production without a mail backend, where the page is a 503', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const app = makeApp();
    expect(await (await call(app, '/api-auth/login/')).text()).not.toContain('Forgot');
    const html = await pageOf(await call(app, REQUEST), 503);
    expect(html).toContain('The service is misconfigured; see the server log.');
  });
});

describe(`GET, POST ${REQUEST}`, () => {
  it('shows a form asking for the address, with a CSRF cookie', async () => {
    const { res, jar } = await open(devApp(), REQUEST);
    const fields = controls(await pageOf(res, 200));
    expect(Object.keys(fields).sort()).toEqual(['csrfmiddlewaretoken', 'email', 'submit']);
    expect(fields.csrfmiddlewaretoken!.value).toBe(jar.get('csrftoken'));
    expect(fields.email).toMatchObject({ type: 'email', id: 'id_email', autocomplete: 'email' });
  });

  it('answers the same page for an unknown address and a real one, and mails only the real one', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const pages = [];
    for (const email of [user.email, 'nobody.at.all@example.com']) {
      const { jar } = await open(app, REQUEST);
      const form = { csrfmiddlewaretoken: jar.get('csrftoken')!, email };
      const res = await postForm(app, REQUEST, jar, form, FROM_NO_REFERRER_PAGE);
      pages.push(await pageOf(res, 200));
    }
    expect(pages[0]).toBe(pages[1]);
    expect(pages[0]).toContain('<h1>Password reset sent</h1>');
    expect(await mailsTo(app, user.email)).toHaveLength(1);
    expect(await mailsTo(app, 'nobody.at.all@example.com')).toEqual([]);
  });

  it('shows the form again for an invalid address, escaped', async () => {
    const app = devApp();
    const { jar } = await open(app, REQUEST);
    const email = '"><b>not an address';
    const res = await postForm(app, REQUEST, jar, {
      csrfmiddlewaretoken: jar.get('csrftoken')!,
      email,
    });
    const html = await pageOf(res, 400);
    expect(html).toContain('role="alert">Enter a valid email address.</p>');
    expect(html).toContain('value="&quot;&gt;&lt;b&gt;not an address"');
  });

  it('refuses a POST without the CSRF token with Django’s 403 page, and sends nothing', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const res = await postForm(app, REQUEST, new CookieJar(), { email: user.email });
    await expectCsrfFailurePage(res);
    expect(await mailsTo(app, user.email)).toEqual([]);
  });
});

describe('the page the mail links to', () => {
  it('shows the new-password form with uid and token hidden, never cached, with no referrer', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const { res, jar } = await open(app, linkPath(link));
    const fields = controls(await pageOf(res, 200));
    expect(Object.keys(fields).sort()).toEqual([
      'csrfmiddlewaretoken',
      'new_password1',
      'new_password2',
      'submit',
      'token',
      'uid',
    ]);
    expect(fields.csrfmiddlewaretoken!.value).toBe(jar.get('csrftoken'));
    expect(fields.uid).toEqual({ type: 'hidden', name: 'uid', value: link.uid });
    expect(fields.token).toEqual({ type: 'hidden', name: 'token', value: link.token });
    expect(fields.new_password1).toMatchObject({ type: 'password', autocomplete: 'new-password' });
  });

  it('changes nothing when opened: the link still works after two visits', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    await open(app, linkPath(link));
    await open(app, linkPath(link));
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it.each([
    ['a used link', true],
    ['a made-up link', false],
  ])('says %s no longer works, with a way to ask again', async (_, real) => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    if (real) await confirmReset(app, link);
    const path = real ? linkPath(link) : `/api-auth/password/reset/MQ/${'x'.repeat(43)}/`;
    const html = await pageOf(await call(app, path), 200);
    expect(html).toContain('<h1>Password reset unsuccessful</h1>');
    expect(html).toContain(`<a href="${REQUEST}">Request a new link</a>`);
    expect(controls(html)).toEqual({});
  });
});

describe(`POST ${CONFIRM}`, () => {
  it('sets the password; the page says so and the new password logs in', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const html = await pageOf(await submitNewPassword(app, link, NEW_PASSWORD), 200);
    expect(html).toContain('<h1>Password reset complete</h1>');
    expect(html).toContain('<a href="/api-auth/login/">Log in</a>');
    const browser = await formLogin(app, { ...user, password: NEW_PASSWORD });
    expect(browser.sessionId).toBeDefined();
    expect((await postJson(app, '/api/token/', user)).status).toBe(401);
  });

  it('shows the form again for mismatched or refused passwords, and the link keeps working', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const mismatch = await pageOf(await submitNewPassword(app, link, NEW_PASSWORD, 'other'), 400);
    expect(mismatch).toContain('role="alert">The two password fields didn’t match.</p>');
    const weak = await pageOf(await submitNewPassword(app, link, '12345678'), 400);
    expect(weak).toContain('role="alert">This password is too common.</p>');
    expect(weak).toContain('role="alert">This password is entirely numeric.</p>');
    const empty = await pageOf(await submitNewPassword(app, link, ''), 400);
    expect(empty).toContain('role="alert">This field is required.</p>');
    expect(controls(empty).uid!.value).toBe(link.uid);
    await pageOf(await submitNewPassword(app, link, NEW_PASSWORD), 200);
  });

  it('shows the form again only for a good link: a bad one is never reflected, whatever the passwords', async () => {
    const app = devApp({ settings: { PASSWORD_MAX_LENGTH: '16' } });
    const { jar } = await open(app, REQUEST);
    const token = 'NotAResetTokenButASecret-0123456789abcdefgh';
    for (const [password, again] of [
      ['p'.repeat(17), 'p'.repeat(17)],
      ['a', 'b'],
      ['', ''],
    ]) {
      const res = await postForm(app, CONFIRM, jar, {
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        uid: 'MQ',
        token,
        new_password1: password!,
        new_password2: again!,
      });
      const html = await pageOf(res, 400);
      expect(html).toContain('<h1>Password reset unsuccessful</h1>');
      expect(html).not.toContain(token);
    }
  });

  it('says a used link no longer works (400)', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const { jar } = await open(app, linkPath(link));
    const fields = { csrfmiddlewaretoken: jar.get('csrftoken')!, uid: link.uid, token: link.token };
    const form = { ...fields, new_password1: NEW_PASSWORD, new_password2: NEW_PASSWORD };
    await pageOf(await postForm(app, CONFIRM, jar, form), 200);
    const again = await pageOf(await postForm(app, CONFIRM, jar, form), 400);
    expect(again).toContain('<h1>Password reset unsuccessful</h1>');
  });

  it('refuses a POST without the CSRF token, and the link keeps working', async () => {
    const app = devApp();
    const user = await makeUser(app);
    const link = await resetLinkFor(app, user);
    const res = await postForm(app, CONFIRM, new CookieJar(), {
      uid: link.uid,
      token: link.token,
      new_password1: NEW_PASSWORD,
      new_password2: NEW_PASSWORD,
    });
    await expectCsrfFailurePage(res);
    await expectJson(await confirmReset(app, link), 200, RESET_DONE);
  });

  it('answers a GET with a 405 page naming POST', async () => {
    const res = await call(devApp(), CONFIRM);
    expect(res.headers.get('Allow')).toBe('POST, OPTIONS');
    expect(await pageOf(res, 405)).toContain('Method &quot;GET&quot; not allowed.');
  });

  it('the mail’s link opens this flow on the Worker’s own origin', async () => {
    const app = devApp();
    const user = await makeUser(app);
    await resetLinkFor(app, user);
    const [mail] = await mailsTo(app, user.email);
    expect(linkIn(mail!).url.startsWith('http://localhost/api-auth/password/reset/')).toBe(true);
  });
});
