/**
 * The browsable-API pages under `/api-auth/` as a browser sees them: the
 * login form (open it, post it), the controls a page shows, and the headers
 * and content every page must have (never cached, a script-free CSP, no
 * inline script or style).
 */
import { expect } from 'vitest';
import { call, type App } from './index';
import { CookieJar } from './browser';

export const HTML = 'text/html; charset=UTF-8';
/** Django's `never_cache`. */
export const NEVER_CACHE = 'max-age=0, no-cache, no-store, must-revalidate, private';
/** Django's `AuthenticationForm` error for a refused login. */
export const BAD_LOGIN =
  'Please enter a correct username and password. Note that both fields may be case-sensitive.';

/** The `<input>`s and `<button>`s of a page: name → its attributes (values still escaped). */
export function controls(html: string): Record<string, Record<string, string>> {
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
export async function openForm(app: App, query = ''): Promise<{ jar: CookieJar; html: string }> {
  const res = await call(app, `/api-auth/login/${query}`);
  expect(res.status).toBe(200);
  return { jar: new CookieJar().store(res), html: await res.text() };
}

/** POSTs a URL-encoded form with the jar's cookies. */
export function postForm(
  app: App,
  path: string,
  jar: CookieJar,
  fields: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<Response> {
  return call(app, path, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      ...jar.headers(path),
      ...headers,
    },
    body: new URLSearchParams(fields).toString(),
  });
}

/** Submits the login form as a browser would after GETting it. */
export async function submitLogin(
  app: App,
  user: { username: string; password: string },
  next = '',
): Promise<{ res: Response; jar: CookieJar; formToken: string }> {
  const { jar } = await openForm(app);
  const formToken = jar.get('csrftoken')!;
  const res = await postForm(app, '/api-auth/login/', jar, {
    csrfmiddlewaretoken: formToken,
    next,
    username: user.username,
    password: user.password,
  });
  return { res, jar: jar.store(res), formToken };
}

/** The headers of every page: HTML, never cached, not framed, and a CSP that allows no script. */
export function expectPageHeaders(res: Response) {
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
export function expectNoScript(html: string) {
  expect(html).not.toMatch(/<script/i);
  expect(html).not.toMatch(/\son[a-z]+=/i);
  expect(html).not.toMatch(/\sstyle=/i);
  expect(html).not.toMatch(/javascript:/i);
}

/** Django's 403 page for a request its CSRF check refuses. */
export async function expectCsrfFailurePage(res: Response) {
  expect(res.status).toBe(403);
  expectPageHeaders(res);
  const html = await res.text();
  expect(html).toContain('<title>403 Forbidden</title>');
  expect(html).toContain('<h1>Forbidden (403)</h1>');
  expect(html).toContain('<p>CSRF verification failed. Request aborted.</p>');
  expectNoScript(html);
}
