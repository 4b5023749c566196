/**
 * The `next` parameter of the browsable-API login and logout: only a path on
 * this site is followed; every open-redirect attempt falls back to
 * `LOGIN_REDIRECT_URL` or `LOGOUT_REDIRECT_URL`, and the login form drops it.
 */
import { describe, expect, it } from 'vitest';
import { makeApp, makeUser } from './helpers';
import { controls, openForm, postForm, submitLogin } from './helpers/pages';

const app = makeApp();

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
      const { res } = await submitLogin(app, user, next);
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
    const { res } = await submitLogin(app, user, '/%2F%2Fevil.example');
    expect(res.status).toBe(302);
    const location = res.headers.get('Location')!;
    expect(location).toBe('/%2F%2Fevil.example');
    expect(new URL(location, 'https://site.example').origin).toBe('https://site.example');
  });

  it.each(OPEN_REDIRECTS)(
    'a logout with %s as next goes to LOGOUT_REDIRECT_URL instead',
    async (_case, next) => {
      const user = await makeUser(app);
      const { jar } = await submitLogin(app, user);
      const res = await postForm(app, '/api-auth/logout/', jar, {
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        next,
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('Location')).toBe('/');
    },
  );
});
