/**
 * @module http/redirects
 * Where a login may send the browser next: only a path on this site.
 * Anything that a browser could read as another origin is refused: absolute
 * URLs, scheme-relative `//host`, backslashes (browsers read `/\host` as
 * `//host`), control characters and whitespace (browsers strip them).
 */

const PLACEHOLDER = 'https://edgeauth.invalid';

/** `next` if it is a same-site path, else `fallback`. */
export function safeNext(next: unknown, fallback: string): string {
  if (typeof next !== 'string' || next === '' || next.length > 2048) return fallback;
  if (!next.startsWith('/') || next.startsWith('//')) return fallback;
  if ([...next].some((char) => char === '\\' || char <= ' ' || char === '\u007f')) return fallback;
  let url: URL;
  try {
    url = new URL(next, PLACEHOLDER);
  } catch {
    return fallback;
  }
  if (url.origin !== PLACEHOLDER) return fallback;
  // Resolving dot segments can turn `/.//host` into `//host`: check the result too.
  const path = `${url.pathname}${url.search}${url.hash}`;
  return path.startsWith('//') || path.startsWith('/\\') ? fallback : path;
}
