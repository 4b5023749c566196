/**
 * Django's `SecurityMiddleware` headers that edgeauth adds to every response
 * of the Worker: `Cross-Origin-Opener-Policy` (Django's default
 * `same-origin`), so no page another site opens keeps a handle on ours, and
 * `Strict-Transport-Security` behind `SECURE_HSTS_SECONDS` (off by default),
 * sent only on requests that came over HTTPS.
 */
import { createExecutionContext, env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError, parseConfig } from '../src/config';
import worker from '../src/index';
import { PASSWORD, bearer, call, makeApp, makeUser, me, obtainPair, testVars } from './helpers';
import { CookieJar, formLogin, send } from './helpers/browser';

const app = makeApp();
const BROWSER = { Accept: 'text/html' };
const HSTS_YEAR = { SECURE_HSTS_SECONDS: '31536000' };

describe('Cross-Origin-Opener-Policy: same-origin', () => {
  it('is on the HTML login form and on Django’s CSRF failure page', async () => {
    const form = await call(app, '/api-auth/login/');
    expect(form.status).toBe(200);
    expect(form.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    const refused = await send(app, new CookieJar(), 'POST', '/api-auth/login/', {
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: 'username=a&password=b',
    });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(refused.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });

  it('is on the logout confirmation page', async () => {
    const { jar } = await formLogin(app, await makeUser(app));
    const res = await send(app, jar, 'GET', '/api-auth/logout/');
    expect(res.status).toBe(200);
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });

  it('is on the static-site gate’s answers: the login redirect and the protected page', async () => {
    const redirect = await call(app, '/app/', { headers: BROWSER });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    const { access } = await obtainPair(app, await makeUser(app));
    const page = await call(app, '/app/', { headers: { ...BROWSER, ...bearer(access) } });
    expect(page.status).toBe(200);
    expect(page.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
  });

  it('is on JSON answers and errors too, as Django sends it', async () => {
    for (const res of [await call(app, '/api/health/'), await me(app)]) {
      expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    }
  });

  it('follows SECURE_CROSS_ORIGIN_OPENER_POLICY', async () => {
    const popups = makeApp({
      settings: { SECURE_CROSS_ORIGIN_OPENER_POLICY: 'same-origin-allow-popups' },
    });
    const res = await call(popups, '/api-auth/login/');
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin-allow-popups');
  });

  it('is on the 503 of a Worker whose settings are invalid', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const res = await worker.fetch(
      new Request('http://localhost/api-auth/login/'),
      { ...env, SECRET_KEY: 'short' } as typeof env,
      createExecutionContext(),
    );
    expect(res.status).toBe(503);
    expect(res.headers.get('Cross-Origin-Opener-Policy')).toBe('same-origin');
    vi.restoreAllMocks();
  });
});

describe('Strict-Transport-Security (SECURE_HSTS_SECONDS)', () => {
  it('is not sent by default, even over HTTPS', async () => {
    const res = await call(app, 'https://localhost/api/health/');
    expect(res.status).toBe(200);
    expect(res.headers.has('Strict-Transport-Security')).toBe(false);
  });

  it('is sent on every HTTPS response once set: success, errors, HTML pages and the gate', async () => {
    const hsts = makeApp({ settings: HSTS_YEAR });
    const user = await makeUser(hsts);
    const responses = [
      await call(hsts, 'https://localhost/api/health/'),
      await call(hsts, 'https://localhost/api/me/'),
      await call(hsts, 'https://localhost/no/such/route/'),
      await call(hsts, 'https://localhost/api-auth/login/'),
      await call(hsts, 'https://localhost/app/', { headers: BROWSER }),
      await call(hsts, 'https://localhost/api/token/', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ username: user.username, password: PASSWORD }),
      }),
    ];
    expect(responses.map((res) => res.status)).toEqual([200, 401, 404, 200, 302, 200]);
    for (const res of responses) {
      expect(res.headers.get('Strict-Transport-Security')).toBe('max-age=31536000');
    }
  });

  it('is never sent over plain HTTP', async () => {
    const hsts = makeApp({ settings: HSTS_YEAR });
    for (const path of ['/api/health/', '/api-auth/login/']) {
      const res = await call(hsts, `http://localhost${path}`);
      expect(res.headers.has('Strict-Transport-Security')).toBe(false);
    }
  });

  it('adds includeSubDomains and preload when asked', async () => {
    const hsts = makeApp({
      settings: {
        SECURE_HSTS_SECONDS: '63072000',
        SECURE_HSTS_INCLUDE_SUBDOMAINS: 'true',
        SECURE_HSTS_PRELOAD: 'true',
      },
    });
    const res = await call(hsts, 'https://localhost/api/health/');
    expect(res.headers.get('Strict-Transport-Security')).toBe(
      'max-age=63072000; includeSubDomains; preload',
    );
  });

  it.each([
    ['without includeSubDomains', { SECURE_HSTS_SECONDS: '31536000' }],
    [
      'with a max-age under a year',
      { SECURE_HSTS_SECONDS: '86400', SECURE_HSTS_INCLUDE_SUBDOMAINS: 'true' },
    ],
    ['with HSTS off', { SECURE_HSTS_INCLUDE_SUBDOMAINS: 'true' }],
  ])(
    'refuses SECURE_HSTS_PRELOAD %s, as the preload list would',
    (_case, settings: Record<string, string>) => {
      const parse = () => parseConfig(testVars({ ...settings, SECURE_HSTS_PRELOAD: 'true' }));
      expect(parse).toThrow(ConfigError);
      expect(parse).toThrow(/^Invalid setting SECURE_HSTS_PRELOAD: needs /);
    },
  );

  it('refuses a negative or non-numeric SECURE_HSTS_SECONDS', () => {
    for (const value of ['-1', 'forever', '1.5']) {
      expect(() => parseConfig(testVars({ SECURE_HSTS_SECONDS: value }))).toThrow(
        /^Invalid setting SECURE_HSTS_SECONDS: /,
      );
    }
  });
});
