/**
 * @module routes/site-paths
 * The static-site gate's model of how the Workers Static Assets router maps a
 * URL to a file (its defaults: `html_handling = "auto-trailing-slash"`,
 * `not_found_handling = "none"`), so that a `SITE_PUBLIC_PATHS` exception
 * never answers with a file other than the one it names.
 *
 * What the router does (workers-shared `asset-worker`, `getIntent` and
 * `htmlHandlingAutoTrailingSlash`):
 * - It decodes each path segment and merges repeated slashes, and serves a
 *   file only when the request spelled that path in its canonical encoding;
 *   any other spelling gets a 307 to the canonical one.
 * - For a path `D` it serves the file `D`, else `D.html`, and for `D` ending
 *   in `/` the file `D/index.html` first: every file it can serve for `D`
 *   starts with `D`.
 * - It redirects `/x.html` to `/x` and `/x/index.html` to `/x/` when that
 *   URL serves the same file, and `/x` to `/x/` (or `/x/` to `/x`) when only
 *   the other file exists.
 *
 * So `/x.html` and `/x/index.html` are two files, and `/x` may be served
 * from `/x.html`, outside the folder `/x/`. An exception is therefore one of:
 * - `prefix*`: every URL starting with the prefix (the router serves those
 *   only from files starting with it); the folder `/x` itself, without the
 *   slash, gets only the router's redirect to `/x/`;
 * - a URL such as `/x`, `/x/` or `/x/file.pdf`: whatever the router serves
 *   for exactly that URL;
 * - a page named by its file, `/x.html` or `/x/index.html`: the URL the
 *   router serves it under (`/x`, `/x/`) once the router confirms that it
 *   serves that file there.
 * The other spelling of a public URL (`/x.html` for `/x`) gets only the
 * router's redirect to it.
 */

/** What a public exception allows for one request. */
export type PublicRule =
  /** A public URL: whatever the router answers for it. */
  | { kind: 'open' }
  /** The URL of a page the exception names by its file: public once the router serves that file here. */
  | { kind: 'verify'; file: string }
  /** Another spelling of a public URL: only the router's redirect to that URL. */
  | { kind: 'redirect'; to: string };

export interface PublicPaths {
  /** Decoded prefixes of the `prefix*` exceptions. */
  readonly prefixes: readonly string[];
  /** Public URLs; the value is the file the exception named, to be confirmed, or `null`. */
  readonly urls: ReadonlyMap<string, string | null>;
}

const OPEN: PublicRule = { kind: 'open' };

/** A URL path as the router reads it: each segment percent-decoded, repeated slashes merged. */
export function routerPath(pathname: string): string {
  return pathname
    .split('/')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        return segment;
      }
    })
    .join('/')
    .replace(/\/+/g, '/');
}

/** A path in the router's own encoding (how it spells a `Location`). */
export function encodeRouterPath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/** The URL the router serves an HTML file under: `/x.html` → `/x`, `/x/index.html` → `/x/`. */
export function pageUrl(path: string): string {
  if (path.endsWith('/index.html')) return path.slice(0, -'index.html'.length);
  if (path.endsWith('.html')) return path.slice(0, -'.html'.length);
  return path;
}

/** Reads `SITE_PUBLIC_PATHS` once, into the form {@link publicRule} looks requests up in. */
export function compilePublicPaths(patterns: readonly string[]): PublicPaths {
  const prefixes: string[] = [];
  const urls = new Map<string, string | null>();
  for (const pattern of patterns) {
    const path = routerPath(pattern.endsWith('*') ? pattern.slice(0, -1) : pattern);
    if (pattern.endsWith('*')) {
      prefixes.push(path);
      continue;
    }
    const url = pageUrl(path);
    // A URL listed as such needs no confirmation, whichever file it is served from.
    if (url === path) urls.set(url, null);
    else if (!urls.has(url)) urls.set(url, path);
  }
  return { prefixes, urls };
}

/** Which public exception, if any, covers `path` (as {@link routerPath} decoded it). */
export function publicRule(path: string, paths: PublicPaths): PublicRule | undefined {
  if (paths.prefixes.some((prefix) => path.startsWith(prefix))) return OPEN;
  const file = paths.urls.get(path);
  if (file === null) return OPEN;
  if (file !== undefined) return { kind: 'verify', file };
  const url = pageUrl(path);
  if (url !== path && paths.urls.has(url)) return { kind: 'redirect', to: url };
  const folder = `${path}/`;
  if (paths.prefixes.some((prefix) => folder.startsWith(prefix))) {
    return { kind: 'redirect', to: folder };
  }
  return undefined;
}

/**
 * Whether a `SITE_PROTECTED_PATHS` folder pattern covers a request path.
 * `/x/*` covers `/x` too: the router answers `/x` from `/x.html` or with a
 * redirect to `/x/`, and protecting either costs nothing.
 */
export function isProtected(path: string, patterns: readonly string[]): boolean {
  return patterns.some((pattern) => {
    const prefix = pattern.slice(0, -1);
    return path.startsWith(prefix) || (prefix.endsWith('/') && path === prefix.slice(0, -1));
  });
}
