/**
 * The browsable API's logout at `/api-auth/logout/`: the confirmation page,
 * where a logout goes, and a logout that cannot be read doing nothing. The
 * reference cases `session_logout_no_csrf` and `session_logout` are in
 * session-reference.test.ts, in both authentication orders.
 */
import { describe, expect, it } from 'vitest';
import { call, expectJson, makeApp, makeUser, me, publicUser } from './helpers';
import { expectSessionCookieDeleted, setCookies } from './helpers/browser';
import {
  controls,
  expectNoScript,
  expectPageHeaders,
  postForm,
  submitLogin,
} from './helpers/pages';

const app = makeApp();

describe('/api-auth/logout/', () => {
  it('GET shows a confirmation form to a logged-in user and does not log out', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(app, user);
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
    await expectJson(await me(app, jar), 200, publicUser(user));
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

  describe('with LOGOUT_REDIRECT_URL /api/public/', () => {
    const custom = makeApp({ settings: { LOGOUT_REDIRECT_URL: '/api/public/' } });

    it.each([
      ['', '/api/public/'],
      ['/app/', '/app/'],
    ])('a logout with next %j goes to %s', async (next, location) => {
      const user = await makeUser(custom);
      const { jar } = await submitLogin(custom, user);
      const res = await postForm(custom, '/api-auth/logout/', jar, {
        csrfmiddlewaretoken: jar.get('csrftoken')!,
        next,
      });
      expect(res.status).toBe(302);
      expect(res.headers.get('Location')).toBe(location);
    });
  });
});

describe('a logout whose body cannot be read', () => {
  it('answers the error page and leaves the session alive: nothing was done', async () => {
    const user = await makeUser(app);
    const { jar } = await submitLogin(app, user);
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
    await expectJson(await me(app, jar), 200, publicUser(user));
  });
});
