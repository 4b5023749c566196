/**
 * The page confirmation mails link to by default,
 * `/api-auth/confirm-email/?key=<key>`: opening it changes nothing (mail
 * scanners open links), its CSRF-protected form confirms; no script, never
 * cached, no `Referer` (the URL carries the key).
 */
import { describe, expect, it } from 'vitest';
import { PAGE_CSP } from '../src/html/pages';
import { basic, call, makeUser, me, type App } from './helpers';
import { CookieJar, send } from './helpers/browser';
import { devApp, latestKey, mailsTo, verifyEmail } from './helpers/mail';

const PAGE = '/api-auth/confirm-email/';
const app = devApp({
  ACCOUNT_EMAIL_VERIFICATION: 'optional',
  DEFAULT_AUTHENTICATION_CLASSES: 'BasicAuthentication',
});

const BAD_LINK = 'This confirmation link is invalid, has expired or was already used.';

async function open(jar: CookieJar, key: string): Promise<Response> {
  const res = await send(app, jar, 'GET', `${PAGE}?key=${encodeURIComponent(key)}`);
  jar.store(res);
  return res;
}

function submit(jar: CookieJar, fields: Record<string, string>): Promise<Response> {
  return send(app, jar, 'POST', PAGE, {
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString(),
  });
}

async function verified(target: App, user: { username: string; password: string }) {
  const res = await me(target, basic(user.username, user.password));
  return ((await res.json()) as { email_verified: boolean }).email_verified;
}

function expectPageHeaders(res: Response) {
  expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
  expect(res.headers.get('Content-Security-Policy')).toBe(PAGE_CSP);
  expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
  expect(res.headers.get('Cache-Control')).toContain('no-store');
}

describe('the confirm page', () => {
  it('is where the mail links; opening it shows a button and confirms nothing', async () => {
    const user = await makeUser(app);
    const [mail] = await mailsTo(app, user.email);
    const key = await latestKey(app, user.email);
    expect(mail!.text).toContain(`http://localhost${PAGE}?key=${key}`);
    const res = await open(new CookieJar(), key);
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain(`<input type="hidden" name="key" value="${key}">`);
    expect(html).not.toContain('<script');
    expect(await verified(app, user)).toBe(false);
  });

  it('confirms on the form’s POST, once', async () => {
    const user = await makeUser(app);
    const key = await latestKey(app, user.email);
    const jar = new CookieJar();
    await open(jar, key);
    const csrfmiddlewaretoken = jar.get('csrftoken')!;
    const res = await submit(jar, { csrfmiddlewaretoken, key });
    expect(res.status).toBe(200);
    expectPageHeaders(res);
    expect(await res.text()).toContain('Email address confirmed');
    expect(await verified(app, user)).toBe(true);
    const again = await submit(jar, { csrfmiddlewaretoken, key });
    expect(again.status).toBe(404);
    expect(await again.text()).toContain(BAD_LINK);
  });

  it('refuses a POST without the CSRF token with Django’s 403 page, and confirms nothing', async () => {
    const user = await makeUser(app);
    const key = await latestKey(app, user.email);
    const jar = new CookieJar();
    await open(jar, key);
    const res = await submit(jar, { key });
    expect(res.status).toBe(403);
    expect(res.headers.get('Referrer-Policy')).toBe('no-referrer');
    expect(await res.text()).toContain('CSRF verification failed. Request aborted.');
    expect(await verified(app, user)).toBe(false);
    await verifyEmail(app, key);
    expect(await verified(app, user)).toBe(true);
  });

  it.each([
    ['no key', `${PAGE}`],
    ['an empty key', `${PAGE}?key=`],
    ['markup', `${PAGE}?key=${encodeURIComponent('"><script>x</script>')}`],
  ])('answers %s with the 404 page, echoing nothing', async (_label, path) => {
    const res = await call(app, path);
    expect(res.status).toBe(404);
    expectPageHeaders(res);
    const html = await res.text();
    expect(html).toContain(BAD_LINK);
    expect(html).not.toContain('<script');
  });

  it('answers an unknown key on POST with the 404 page', async () => {
    const jar = new CookieJar();
    await open(jar, 'A'.repeat(43));
    const res = await submit(jar, {
      csrfmiddlewaretoken: jar.get('csrftoken')!,
      key: 'A'.repeat(43),
    });
    expect(res.status).toBe(404);
    expect(await res.text()).toContain(BAD_LINK);
  });

  it('answers other methods with a 405 page listing Allow', async () => {
    const res = await call(app, PAGE, { method: 'DELETE' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, POST, HEAD, OPTIONS');
    expect(res.headers.get('Content-Type')).toContain('text/html');
  });
});
