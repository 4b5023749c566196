/**
 * The docs page at `<ROUTE_PREFIX_SCHEMA>/docs/` and its script and
 * stylesheet: a strict CSP, nothing inline and nothing from another origin,
 * the right types and caching, the renderer never parsing document text as
 * HTML, and DRF's answers to the methods the routes lack. (The page itself is
 * rendered in Chromium by the end-to-end test, e2e/schema.ts.)
 */
import { describe, expect, it } from 'vitest';
import { DOCS_SCRIPT } from '../src/html/docs-script';
import { body, call, makeApp } from './helpers';

const DOCS = '/api/schema/docs/';
const CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; " +
  "img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** The `src` and `href` of every element of the page that loads something. */
function loads(html: string): string[] {
  return [...html.matchAll(/<(?:script|link)\b[^>]*\b(?:src|href)="([^"]*)"/g)].map((m) => m[1]!);
}

describe('the docs page', () => {
  const app = makeApp();

  it('answers with a strict CSP, HTML and the X-Frame-Options of every page', async () => {
    const res = await call(app, DOCS);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=UTF-8');
    expect(res.headers.get('Content-Security-Policy')).toBe(CSP);
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('Cache-Control')).toBe('public, max-age=300');
  });

  it('loads only its own script and stylesheet, from this origin, with nothing inline', async () => {
    const html = await (await call(app, DOCS)).text();
    expect(loads(html)).toEqual([
      '/api/schema/docs/docs.css?v=0.1.0',
      '/api/schema/docs/docs.js?v=0.1.0',
    ]);
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    expect(html).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(html).toContain('<main id="docs" data-schema="/api/schema/">');
    expect(html).toMatch(/<noscript>.*<a href="\/api\/schema\/">/s);
  });

  it('serves its script and stylesheet with their types, cached', async () => {
    const script = await call(app, '/api/schema/docs/docs.js?v=0.1.0');
    expect(script.status).toBe(200);
    expect(script.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(script.headers.get('Cache-Control')).toBe('public, max-age=3600');
    expect(await script.text()).toBe(DOCS_SCRIPT);
    const css = await call(app, '/api/schema/docs/docs.css');
    expect(css.status).toBe(200);
    expect(css.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.operation');
  });

  it('renders the document with text nodes only, never parsing its text as HTML', () => {
    // Cookie and header names in the document come from the settings.
    expect(DOCS_SCRIPT).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
    expect(DOCS_SCRIPT).not.toMatch(/\beval\b|new Function/);
    expect(DOCS_SCRIPT).toContain('root.dataset.schema');
  });

  it('moves with ROUTE_PREFIX_SCHEMA, and so do the URLs in it', async () => {
    const moved = makeApp({ settings: { ROUTE_PREFIX_SCHEMA: '/docs/api' } });
    expect((await call(moved, DOCS)).status).toBe(404);
    const html = await (await call(moved, '/docs/api/docs/')).text();
    expect(loads(html)).toEqual([
      '/docs/api/docs/docs.css?v=0.1.0',
      '/docs/api/docs/docs.js?v=0.1.0',
    ]);
    expect(html).toContain('data-schema="/docs/api/"');
    expect((await call(moved, '/docs/api/docs/docs.js')).status).toBe(200);
  });
});

describe('the schema routes’ answers to other methods', () => {
  const app = makeApp();
  const paths = ['/api/schema/', DOCS, '/api/schema/docs/docs.js', '/api/schema/docs/docs.css'];

  it.each(paths)('%s answers POST with 405 and Allow', async (path) => {
    const res = await call(app, path, { method: 'POST', body: 'x' });
    expect(res.status).toBe(405);
    expect(res.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
    expect(await body(res)).toEqual({
      detail: 'Method "POST" not allowed.',
      code: 'method_not_allowed',
    });
  });

  it.each(paths)('%s answers OPTIONS with the view metadata and Allow', async (path) => {
    const res = await call(app, path, { method: 'OPTIONS' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Allow')).toBe('GET, HEAD, OPTIONS');
    expect(await body(res)).toMatchObject({ renders: ['application/json'] });
  });

  it.each(paths)('%s answers HEAD as GET without a body', async (path) => {
    const res = await call(app, path, { method: 'HEAD' });
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe(
      (await call(app, path)).headers.get('Content-Type'),
    );
    expect(await res.text()).toBe('');
  });

  it('ignores credentials, even bad ones: the document is public', async () => {
    const res = await call(app, '/api/schema/', { headers: { Authorization: 'Bearer junk' } });
    expect(res.status).toBe(200);
  });
});
