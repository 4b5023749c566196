/**
 * `SITE_PUBLIC_PATHS` against the real asset router: a public exception must
 * answer only with the file it names. The gate here serves
 * `test/fixtures/site` (through the asset router miniflare runs in
 * production's place) with layouts where one URL and another spelling of it
 * are two different files:
 *
 *   app/login-help/index.html  app/pub.html        (protected: the layout)
 *   app/help.html              app/pub/guide.html  (public)
 *   app/notes.html (public)  beside  app/notes, a file without extension
 *   app/docs/index.html (public)  beside  app/docs.html
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { compilePublicPaths, isProtected, publicRule, routerPath } from '../src/routes/site-paths';
import { bearer, makeApp, makeUser, obtainPair, type App } from './helpers';

const BROWSER = { Accept: 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8' };
const PUBLIC = [
  '/app/login-help.html',
  '/app/pub/*',
  '/app/help.html',
  '/app/notes.html',
  '/app/docs/index.html',
];

const site = makeApp({ settings: { SITE_PUBLIC_PATHS: JSON.stringify(PUBLIC) } });
/** The Worker's bindings, with the fixture site as its static assets. */
const withFixtureSite = { ...env, ASSETS: env.TEST_SITE_ASSETS };

function get(path: string, headers: Record<string, string> = BROWSER, app: App = site) {
  return Promise.resolve(app.request(path, { headers }, withFixtureSite));
}

function fixture(file: string): string {
  return file.endsWith('.html') ? `<p>fixture ${file}</p>\n` : `fixture ${file} (no extension)\n`;
}

async function expectLoginRedirect(path: string) {
  const res = await get(path);
  expect(res.status).toBe(302);
  expect(res.headers.get('Location')).toBe(`/api-auth/login/?next=${encodeURIComponent(path)}`);
  expect(await res.text()).toBe('');
}

describe('a public exception never answers with another file (the issue’s layout)', () => {
  it.each([
    ['/app/login-help/', 'app/login-help/index.html, not the public login-help.html'],
    ['/app/login-help/index.html', 'the same folder page by its file name'],
    ['/app/login-help', 'a redirect to the protected folder page'],
    ['/app/pub', 'app/pub.html, which is beside the public folder /app/pub/, not in it'],
    ['/app/pub.html', 'the same file by its own name'],
    ['/app/docs', 'app/docs.html, not the public app/docs/index.html'],
    ['/app/notes', 'app/notes, which the router serves there before app/notes.html'],
  ])('an anonymous browser asking for %s gets the login page (%s)', async (path) => {
    await expectLoginRedirect(path);
  });

  it('an anonymous API client asking for /app/pub gets 401, never the file', async () => {
    const res = await get('/app/pub', {});
    expect(res.status).toBe(401);
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer realm="api"');
    expect(await res.json()).toEqual({
      detail: 'Authentication credentials were not provided.',
      code: 'not_authenticated',
    });
  });

  it('/app/pub/ inside the public folder gets only the router’s redirect to /app/pub, never pub.html', async () => {
    // Following that redirect inside the Worker would answer pub.html under /app/pub/.
    const res = await get('/app/pub/');
    expect(res.status).toBe(307);
    expect(res.headers.get('Location')).toBe('/app/pub');
    expect(await res.text()).toBe('');
  });

  it('an authenticated client still gets the protected files', async () => {
    const { access } = await obtainPair(site, await makeUser(site));
    const res = await get('/app/pub', bearer(access));
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe('private, no-cache');
    expect(await res.text()).toBe(fixture('app/pub.html'));
  });
});

describe('the files the exceptions do name are public', () => {
  it.each([
    ['/app/help', 'app/help.html'],
    ['/app/pub/guide', 'app/pub/guide.html'],
    ['/app/docs/', 'app/docs/index.html'],
  ])('GET %s answers %s to anyone', async (path, file) => {
    const res = await get(path);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(fixture(file));
  });

  it.each([
    ['/app/help.html', '/app/help'],
    ['/app/docs/index.html', '/app/docs/'],
    ['/app/pub/guide.html', '/app/pub/guide'],
  ])('GET %s gets the router’s redirect to %s', async (path, location) => {
    const res = await get(path);
    expect(res.status).toBe(307);
    expect(res.headers.get('Location')).toBe(location);
  });

  it('a missing file in a public folder is a plain 404, not the router’s answer', async () => {
    const res = await get('/app/pub/missing.html');
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: 'Not found.', code: 'not_found' });
  });

  it('lists a page by the URL it is served under as well as by its file', async () => {
    const byUrl = makeApp({ settings: { SITE_PUBLIC_PATHS: '/app/help,/app/docs/' } });
    expect(await (await get('/app/help', BROWSER, byUrl)).text()).toBe(fixture('app/help.html'));
    expect(await (await get('/app/docs/', BROWSER, byUrl)).text()).toBe(
      fixture('app/docs/index.html'),
    );
    expect((await get('/app/help.html', BROWSER, byUrl)).status).toBe(307);
    expect((await get('/app/docs', BROWSER, byUrl)).status).toBe(302);
  });
});

describe('publicRule', () => {
  const paths = compilePublicPaths(PUBLIC);

  it.each([
    ['/app/pub/', { kind: 'open' }],
    ['/app/pub/a/b.pdf', { kind: 'open' }],
    ['/app/help', { kind: 'verify', file: '/app/help.html' }],
    ['/app/docs/', { kind: 'verify', file: '/app/docs/index.html' }],
    ['/app/help.html', { kind: 'redirect', to: '/app/help' }],
    ['/app/docs/index.html', { kind: 'redirect', to: '/app/docs/' }],
    ['/app/pub', { kind: 'redirect', to: '/app/pub/' }],
    ['/app/pub.html', undefined],
    ['/app/help/', undefined],
    ['/app/help/index.html', undefined],
    ['/app/docs', undefined],
    ['/app/docs.html', undefined],
    ['/app/publish', undefined],
    ['/app/', undefined],
  ] as const)('publicRule(%j) is %j', (path, expected) => {
    expect(publicRule(path, paths)).toEqual(expected);
  });

  it('reads a URL pattern as that URL, with no check of the file behind it', () => {
    const urls = compilePublicPaths(['/app/help', '/app/docs/', '/app/a.pdf']);
    expect(publicRule('/app/help', urls)).toEqual({ kind: 'open' });
    expect(publicRule('/app/docs/', urls)).toEqual({ kind: 'open' });
    expect(publicRule('/app/a.pdf', urls)).toEqual({ kind: 'open' });
    expect(publicRule('/app/a.pdf.html', urls)).toEqual({ kind: 'redirect', to: '/app/a.pdf' });
    expect(publicRule('/app/a.pdf/', urls)).toBeUndefined();
  });

  it('decodes paths as the router does: segments percent-decoded, slashes merged', () => {
    expect(routerPath('/app/%70ub//guide')).toBe('/app/pub/guide');
    expect(routerPath('/app/%E0%A4%A')).toBe('/app/%E0%A4%A');
    expect(routerPath('/app/a%2Fb')).toBe('/app/a/b');
  });
});

describe('isProtected', () => {
  it.each([
    ['/app/', ['/app/*'], true],
    ['/app', ['/app/*'], true],
    ['/app/a/b/c.html', ['/app/*'], true],
    ['/application', ['/app/*'], false],
    ['/ap', ['/app/*'], false],
    ['/', ['/app/*'], false],
    ['/APP/', ['/app/*'], false],
    ['/other/app/', ['/app/*'], false],
    ['/', ['/*'], true],
    ['/anything/at/all', ['/*'], true],
    ['/docs/x', ['/app/*', '/docs/*'], true],
    ['/app/', [], false],
  ] as const)('isProtected(%j, %j) is %s', (path, patterns, expected) => {
    expect(isProtected(path, patterns)).toBe(expected);
  });
});
