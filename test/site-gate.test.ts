/**
 * The static-site gate: Workers Static Assets serve `public/`, and for the
 * paths in `SITE_PROTECTED_PATHS` (less `SITE_PUBLIC_PATHS`) the Worker runs
 * first and serves a file only to an authenticated request, be it a browser
 * with a session or an API client with a JWT or an opaque token. Anonymous
 * browsers are sent to the login page with `next`; gated files are
 * `Cache-Control: private`.
 *
 * `app.request` sends every path to the Worker, where the real asset router
 * would only do so for `run_worker_first` paths; the tests of unprotected
 * paths therefore show that the gate leaves them alone (the app's 404).
 */
import { SELF, env } from 'cloudflare:test';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SETTINGS } from '../src/config/settings';
import { parseConfig } from '../src/config';
import appIndex from '../public/app/index.html?raw';
import appReport from '../public/app/report.html?raw';
import wranglerToml from '../wrangler.toml?raw';
import {
  PASSWORD,
  bearer,
  call,
  makeApp,
  makeUser,
  obtainPair,
  postJson,
  unreachableKV,
  type App,
  type TestUser,
  testVars,
} from './helpers';

const app = makeApp();

const BROWSER = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const NOT_PROVIDED = {
  detail: 'Authentication credentials were not provided.',
  code: 'not_authenticated',
};
const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';

afterEach(() => {
  vi.restoreAllMocks();
});

/** The `Cookie` header for the cookies a response set. */
function cookiesFrom(res: Response): string {
  return res.headers
    .getSetCookie()
    .map((line) => line.split(';')[0]!)
    .join('; ');
}

/** Logs in on `POST /api/auth/login/`; resolves the browser's `Cookie` header. */
async function sessionCookie(user: TestUser, target: App = app): Promise<string> {
  const res = await postJson(target, '/api/auth/login/', {
    username: user.username,
    password: PASSWORD,
  });
  expect(res.status).toBe(200);
  return cookiesFrom(res);
}

function get(path: string, headers: Record<string, string> = {}, target: App = app) {
  return call(target, path, { headers });
}

/** The values of a comma-separated header, trimmed. */
function listHeader(res: Response, name: string): string[] {
  return (res.headers.get(name) ?? '').split(',').map((value) => value.trim());
}

function expectGatedPage(res: Response) {
  expect(res.status).toBe(200);
  expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
  expect(res.headers.get('Cache-Control')).toBe('private, no-cache');
  expect(listHeader(res, 'Vary')).toEqual(expect.arrayContaining(['Cookie', 'Authorization']));
}

describe('an anonymous request for a protected page', () => {
  it.each([
    ['/app/', '/api-auth/login/?next=%2Fapp%2F'],
    ['/app', '/api-auth/login/?next=%2Fapp'],
    ['/app/report.html', '/api-auth/login/?next=%2Fapp%2Freport.html'],
    ['/app/report.html?x=1&y=2', '/api-auth/login/?next=%2Fapp%2Freport.html%3Fx%3D1%26y%3D2'],
  ])('from a browser: GET %s → 302 to the login page with next', async (path, location) => {
    const res = await get(path, BROWSER);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe(location);
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    expect(await res.text()).toBe('');
  });

  it.each([
    ['no Accept header', {}],
    ['Accept: application/json', { Accept: 'application/json' }],
    ['Accept: */*', { Accept: '*/*' }],
  ])(
    'from a non-browser (%s): 401 JSON with the Bearer challenge',
    async (_case, headers: Record<string, string>) => {
      const res = await get('/app/', headers);
      expect(res.status).toBe(401);
      expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
      expect(res.headers.get('Content-Type')).toBe('application/json');
      expect(await res.json()).toEqual(NOT_PROVIDED);
    },
  );

  it('follows LOGIN_URL, keeping a query it already has', async () => {
    const custom = makeApp({ settings: { LOGIN_URL: '/signin/?via=gate' } });
    const res = await get('/app/', BROWSER, custom);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/signin/?via=gate&next=%2Fapp%2F');
  });

  it('with a dead session cookie: redirected to the login page, and the cookie deleted', async () => {
    const res = await get('/app/', { ...BROWSER, Cookie: `sessionid=1.${'q'.repeat(32)}` });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api-auth/login/?next=%2Fapp%2F');
    expect(res.headers.getSetCookie()).toEqual([
      `sessionid=; Max-Age=0; Path=/; Expires=${EPOCH}; Secure; SameSite=Lax`,
    ]);
  });

  it('with a bad Bearer token: 401 even from a browser, never the file', async () => {
    const res = await get('/app/', { ...BROWSER, ...bearer('not-a-jwt') });
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
    expect(await res.json()).toEqual({
      detail: 'Given token not valid for any token type',
      code: 'token_not_valid',
      messages: [
        {
          token_class: 'AccessToken',
          token_type: 'access',
          message: 'Token is invalid or expired',
        },
      ],
    });
  });
});

describe('an authenticated request for a protected file', () => {
  it('with a session cookie: 200, the page itself, Cache-Control: private', async () => {
    const cookie = await sessionCookie(await makeUser(app));
    const res = await get('/app/', { ...BROWSER, Cookie: cookie });
    expectGatedPage(res);
    expect(await res.text()).toBe(appIndex);
  });

  it('with a JWT Bearer: 200 and the file', async () => {
    const { access } = await obtainPair(app, await makeUser(app));
    const res = await get('/app/report', bearer(access));
    expectGatedPage(res);
    expect(await res.text()).toBe(appReport);
  });

  it('with an opaque Token: 200 and the file', async () => {
    const user = await makeUser(app);
    const issued = await postJson(app, '/api-token-auth/', {
      username: user.username,
      password: PASSWORD,
    });
    const { token } = (await issued.json()) as { token: string };
    const res = await get('/app/report', { Authorization: `Token ${token}` });
    expectGatedPage(res);
    expect(await res.text()).toBe(appReport);
  });

  it('asking for /app/report.html: the router’s own 307 to /app/report, private too', async () => {
    // The router answers a request with redirect: "follow" by following the redirect
    // itself; the gate must pass the redirect on, so the browser asks for /app/report.
    const { access } = await obtainPair(app, await makeUser(app));
    const res = await get('/app/report.html', bearer(access));
    expect(res.status).toBe(307);
    expect(res.headers.get('Location')).toBe('/app/report');
    expect(res.headers.get('Cache-Control')).toBe('private, no-cache');
    expect(await res.text()).toBe('');
  });

  it('HEAD with a session: 200, the page’s headers, no body', async () => {
    const cookie = await sessionCookie(await makeUser(app));
    const res = await call(app, '/app/', { method: 'HEAD', headers: { Cookie: cookie } });
    expectGatedPage(res);
    expect(await res.text()).toBe('');
  });

  it('HEAD from an anonymous browser: 302 to the login page', async () => {
    const res = await call(app, '/app/', { method: 'HEAD', headers: BROWSER });
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api-auth/login/?next=%2Fapp%2F');
  });

  it('after the session ends the page is refused again', async () => {
    const user = await makeUser(app);
    const cookie = await sessionCookie(user);
    const csrf = /csrftoken=([A-Za-z0-9]+)/.exec(cookie)![1]!;
    const logout = await call(app, '/api/auth/logout/', {
      method: 'POST',
      headers: { Cookie: cookie, 'X-CSRFToken': csrf },
    });
    expect(logout.status).toBe(200);
    const res = await get('/app/', { ...BROWSER, Cookie: cookie });
    expect(res.status).toBe(302);
  });

  it('with KV unreachable: 503, never the file and never a redirect', async () => {
    vi.spyOn(console, 'error').mockImplementation(() => {});
    const cookie = await sessionCookie(await makeUser(app));
    const down = makeApp({ bindings: { KV: unreachableKV() } });
    const res = await get('/app/', { ...BROWSER, Cookie: cookie }, down);
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      detail: 'The authentication service is temporarily unavailable. Try again later.',
      code: 'service_unavailable',
    });
  });
});

describe('SITE_PUBLIC_PATHS and unprotected paths', () => {
  it('serves a SITE_PUBLIC_PATHS exception inside the protected area to anyone', async () => {
    // run_worker_first sends these paths to the Worker, so it must serve them itself.
    const open = makeApp({ settings: { SITE_PUBLIC_PATHS: '/app/report.html' } });
    const res = await get('/app/report', BROWSER, open);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(appReport);
  });

  it('still gates the rest of the protected area when there are exceptions', async () => {
    const open = makeApp({ settings: { SITE_PUBLIC_PATHS: '/app/report.html' } });
    const res = await get('/app/', BROWSER, open);
    expect(res.status).toBe(302);
    expect(res.headers.get('Location')).toBe('/api-auth/login/?next=%2Fapp%2F');
  });

  it.each(['/', '/index.html', '/site.css', '/application/'])(
    'leaves %s (outside SITE_PROTECTED_PATHS) to the asset router: the Worker answers its 404',
    async (path) => {
      const res = await get(path, BROWSER);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
    },
  );

  it('gates the folders a custom SITE_PROTECTED_PATHS names, and no longer the default ones', async () => {
    const custom = makeApp({ settings: { SITE_PROTECTED_PATHS: '/reports/*,/team/docs/*' } });
    for (const path of ['/reports/', '/reports/q3.html', '/team/docs/a/b.pdf']) {
      const gated = await get(path, BROWSER, custom);
      expect(gated.status).toBe(302);
      expect(gated.headers.get('Location')).toBe(
        `/api-auth/login/?next=${encodeURIComponent(path)}`,
      );
    }
    expect((await get('/app/', BROWSER, custom)).status).toBe(404);
  });

  it('refuses to protect single files, which the asset router also serves under other names', () => {
    for (const pattern of ['/app/report.html', '/site.css', '/app/*.html', '/*/x']) {
      expect(() => parseConfig(testVars({ SITE_PROTECTED_PATHS: pattern }))).toThrow(
        /^Invalid setting SITE_PROTECTED_PATHS: .* is not a (folder pattern|path) like/,
      );
    }
  });

  it('serves a public page under the URL the router gives it, and only the router’s redirect under its file name', async () => {
    const open = makeApp({ settings: { SITE_PUBLIC_PATHS: '/app/report.html' } });
    expect((await get('/app/report', BROWSER, open)).status).toBe(200);
    const byFile = await get('/app/report.html', BROWSER, open);
    expect(byFile.status).toBe(307);
    expect(byFile.headers.get('Location')).toBe('/app/report');
    for (const other of ['/app/report/', '/app/report/index.html', '/app/']) {
      expect((await get(other, BROWSER, open)).status).toBe(302);
    }
  });

  it('gates nothing when the ASSETS binding is absent (an API-only deployment)', async () => {
    const res = await app.request('/app/', { headers: BROWSER }, { ...env, ASSETS: undefined });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
  });
});

describe('the whole browser flow through the Worker (SELF)', () => {
  it('protected page → login form → submit → the page; logout → redirected again', async () => {
    const user = await makeUser(app);
    const origin = 'http://localhost';
    const first = await SELF.fetch(`${origin}/app/`, { headers: BROWSER, redirect: 'manual' });
    expect(first.status).toBe(302);
    const loginUrl = first.headers.get('Location')!;
    expect(loginUrl).toBe('/api-auth/login/?next=%2Fapp%2F');

    const form = await SELF.fetch(`${origin}${loginUrl}`, { headers: BROWSER });
    expect(form.status).toBe(200);
    const html = await form.text();
    expect(html).toContain('name="next" value="/app/"');
    const csrf = /csrftoken=([A-Za-z0-9]+)/.exec(cookiesFrom(form))![1]!;

    const submit = await SELF.fetch(`${origin}/api-auth/login/`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        'Content-Type': 'application/x-www-form-urlencoded',
        Cookie: `csrftoken=${csrf}`,
        Origin: origin,
      },
      body: new URLSearchParams({
        csrfmiddlewaretoken: csrf,
        next: '/app/',
        username: user.username,
        password: PASSWORD,
      }).toString(),
    });
    expect(submit.status).toBe(302);
    expect(submit.headers.get('Location')).toBe('/app/');
    const cookie = cookiesFrom(submit);
    const rotated = /csrftoken=([A-Za-z0-9]+)/.exec(cookie)![1]!;

    const page = await SELF.fetch(`${origin}/app/`, { headers: { ...BROWSER, Cookie: cookie } });
    expectGatedPage(page);
    expect(await page.text()).toBe(appIndex);

    const logout = await SELF.fetch(`${origin}/api-auth/logout/`, {
      method: 'POST',
      redirect: 'manual',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams({ csrfmiddlewaretoken: rotated }).toString(),
    });
    expect(logout.status).toBe(302);
    expect(logout.headers.get('Location')).toBe('/');

    const again = await SELF.fetch(`${origin}/app/`, {
      headers: { ...BROWSER, Cookie: cookie },
      redirect: 'manual',
    });
    expect(again.status).toBe(302);
    expect(again.headers.get('Location')).toBe('/api-auth/login/?next=%2Fapp%2F');
  });
});

describe('wrangler.toml', () => {
  /** `run_worker_first` of the `[assets]` table. */
  function runWorkerFirst(): string[] {
    const assets = /^\[assets\]$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(wranglerToml)![1]!;
    const list = /^run_worker_first\s*=\s*(\[[^\]]*\])/m.exec(assets)![1]!;
    return JSON.parse(list) as string[];
  }

  /** Whether every path `inner` matches is matched by `outer` as well. */
  function covers(outer: string, inner: string): boolean {
    if (outer === inner) return true;
    return outer.endsWith('*') && inner.startsWith(outer.slice(0, -1));
  }

  it('leaves html_handling and not_found_handling at the defaults the gate models', () => {
    const assets = /^\[assets\]$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(wranglerToml)![1]!;
    expect(assets).not.toMatch(/^\s*(html_handling|not_found_handling)\s*=/m);
  });

  it('serves public/ through the ASSETS binding', () => {
    const assets = /^\[assets\]$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(wranglerToml)![1]!;
    expect(assets).toMatch(/^directory = "public"$/m);
    expect(assets).toMatch(/^binding = "ASSETS"$/m);
  });

  it('runs the Worker first for every default SITE_PROTECTED_PATHS entry', () => {
    const first = runWorkerFirst();
    const protectedPaths = SETTINGS.SITE_PROTECTED_PATHS.default!;
    expect(protectedPaths.length).toBeGreaterThan(0);
    for (const pattern of protectedPaths) {
      expect(first.some((outer) => covers(outer, pattern))).toBe(true);
    }
  });
});
