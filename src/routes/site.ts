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
 *
 * A public exception answers only with the file it names: `site-paths.ts`
 * models which file the asset router serves for a URL, and where that model
 * cannot know (the router's choice depends on which files exist) the router
 * itself is asked. The router is always called with `redirect: "manual"`:
 * following a redirect inside the Worker would serve another URL's file
 * under this one.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { identify } from '../auth/authenticate';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ApiError, notAuthenticated } from '../errors';
import {
  compilePublicPaths,
  encodeRouterPath,
  isProtected,
  publicRule,
  routerPath,
  type PublicRule,
} from './site-paths';

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

/** The asset router's own answer to this request, redirects included. */
function fromRouter(assets: Fetcher, request: Request): Promise<Response> {
  return assets.fetch(new Request(request, { redirect: 'manual' }));
}

function isRedirect(res: Response): boolean {
  return res.status >= 300 && res.status < 400 && res.headers.has('Location');
}

/** Whether `res` is a redirect to the page `path` of this site. */
function redirectsTo(res: Response, base: URL, path: string): boolean {
  if (!isRedirect(res)) return false;
  const target = new URL(res.headers.get('Location')!, base);
  return target.origin === base.origin && routerPath(target.pathname) === path;
}

/**
 * Whether the router serves `file` at `path`. It redirects `/x.html` to `/x`
 * (and `/x/index.html` to `/x/`) only when `/x` serves that very file, so
 * its answer to a HEAD of the file is the proof.
 */
async function servesFileAt(assets: Fetcher, base: URL, file: string, path: string) {
  const probe = new Request(new URL(encodeRouterPath(file), base), { method: 'HEAD' });
  return redirectsTo(await fromRouter(assets, probe), base, path);
}

/** Serves a public exception, or resolves undefined when the request must be gated after all. */
async function servePublic(
  c: Context<AppEnv>,
  assets: Fetcher,
  rule: PublicRule,
  path: string,
): Promise<Response | undefined> {
  const base = new URL(c.req.url);
  if (rule.kind === 'verify' && !(await servesFileAt(assets, base, rule.file, path))) {
    return undefined;
  }
  const answer = await fromRouter(assets, c.req.raw);
  if (rule.kind === 'redirect' && !redirectsTo(answer, base, rule.to)) {
    await answer.body?.cancel();
    return undefined;
  }
  if (!answer.ok && !isRedirect(answer) && answer.status !== 304) {
    // A custom 404 page may live in the protected folder: say nothing more than "not found".
    await answer.body?.cancel();
    throw new ApiError('not_found', 'Not found.');
  }
  return new Response(answer.body, answer);
}

async function serveProtected(c: Context<AppEnv>): Promise<Response> {
  const { config } = c.var.edgeauth;
  if (!c.var.auth) {
    if (wantsPage(c)) return loginRedirect(c, config);
    throw notAuthenticated();
  }
  const asset = await fromRouter(c.env.ASSETS!, c.req.raw);
  const response = new Response(asset.body, asset);
  response.headers.set('Cache-Control', 'private, no-cache');
  response.headers.append('Vary', 'Cookie, Authorization');
  return response;
}

/**
 * The gate, as middleware after every route: a request no route answered
 * that falls under `SITE_PROTECTED_PATHS` is served from the assets, once
 * authenticated (or, for a public exception, at once).
 */
export function siteGate(config: AuthConfig): MiddlewareHandler<AppEnv> {
  const publicPaths = compilePublicPaths(config.SITE_PUBLIC_PATHS);
  return async function siteGate(c, next) {
    // The URL's own path, as run_worker_first matched it (Hono's drops a trailing slash).
    const pathname = new URL(c.req.url).pathname;
    const assets = c.env?.ASSETS;
    const method = c.req.method;
    const gated = method === 'GET' || method === 'HEAD';
    if (!gated || assets === undefined || !isProtected(pathname, config.SITE_PROTECTED_PATHS)) {
      return next();
    }
    // An exception inside the protected area: the Worker runs first there, so it serves it.
    const path = routerPath(pathname);
    const rule = publicRule(path, publicPaths);
    const open = rule && (await servePublic(c, assets, rule, path));
    if (open) return open;
    await identify(c);
    return serveProtected(c);
  };
}
