/**
 * @module routes/site
 * The static-site gate. `wrangler.toml` serves `public/` with Workers Static
 * Assets and runs the Worker first for the protected paths; here each request
 * under `SITE_PROTECTED_PATHS` (less `SITE_PUBLIC_PATHS`) is authenticated
 * with the default classes, so browsers (session cookie) and API clients (JWT,
 * opaque token) alike can fetch protected files. An anonymous browser asking
 * for a page is redirected to `LOGIN_URL` with `next`; other anonymous
 * requests get the usual 401/403. Gated responses are `Cache-Control:
 * private`, so no shared cache keeps them.
 */
import type { Context, Hono } from 'hono';
import { authenticate } from '../auth/authenticate';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { notAuthenticated } from '../errors';

/**
 * A path as the asset router resolves it: `/x.html`, `/x` and `/x/index.html`
 * all name one page, so they compare equal.
 */
function canonical(path: string): string {
  return path
    .replace(/\/index(\.html)?$/, '/')
    .replace(/\.html$/, '')
    .replace(/(.)\/$/, '$1');
}

/**
 * Matches a path against patterns like `/app/help.html` (that page, however
 * the asset router spells it) and `/app/*` (that folder, itself included, and
 * everything in it).
 */
export function matchesAny(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    if (!pattern.endsWith('*')) return canonical(path) === canonical(pattern);
    const prefix = pattern.slice(0, -1);
    return path.startsWith(prefix) || (prefix.endsWith('/') && path === prefix.slice(0, -1));
  });
}

function wantsPage(c: Context<AppEnv>): boolean {
  const method = c.req.method;
  return (
    (method === 'GET' || method === 'HEAD') && (c.req.header('Accept') ?? '').includes('text/html')
  );
}

function loginRedirect(c: Context<AppEnv>, config: AuthConfig): Response {
  const url = new URL(c.req.url);
  const separator = config.LOGIN_URL.includes('?') ? '&' : '?';
  const next = encodeURIComponent(`${url.pathname}${url.search}`);
  return c.body(null, 302, {
    Location: `${config.LOGIN_URL}${separator}next=${next}`,
    'Cache-Control': 'no-store',
  });
}

async function serveProtected(c: Context<AppEnv>): Promise<Response> {
  const { config } = c.var.edgeauth;
  if (!c.var.auth) {
    if (wantsPage(c)) return loginRedirect(c, config);
    throw notAuthenticated();
  }
  const asset = await c.env.ASSETS!.fetch(c.req.raw);
  const response = new Response(asset.body, asset);
  response.headers.set('Cache-Control', 'private, no-cache');
  response.headers.append('Vary', 'Cookie, Authorization');
  return response;
}

export function siteRoutes(app: Hono<AppEnv>, config: AuthConfig): void {
  const gate = authenticate();
  app.on(['GET', 'HEAD'], '*', async (c, next) => {
    // The URL's own path: the router's has its trailing slash removed.
    const path = new URL(c.req.url).pathname;
    if (c.env?.ASSETS === undefined || !matchesAny(path, config.SITE_PROTECTED_PATHS))
      return next();
    // An exception inside the protected area: the Worker runs first there, so it serves it.
    if (matchesAny(path, config.SITE_PUBLIC_PATHS)) {
      const asset = await c.env.ASSETS.fetch(c.req.raw);
      return new Response(asset.body, asset);
    }
    let response: Response | undefined;
    await gate(c, async () => {
      response = await serveProtected(c);
    });
    return response!;
  });
}
