/**
 * @module auth/csrf
 * CSRF protection for requests authenticated by a cookie (session, or JWT in
 * cookie mode), as DRF's `SessionAuthentication.enforce_csrf` with Django's
 * texts, and two checks Django lacks: the `Origin` header and the browser's
 * `Sec-Fetch-Site` must say the request is same-origin, or else its origin
 * must be in `CSRF_TRUSTED_ORIGINS`. Then the double submit: the `csrftoken` cookie
 * must be echoed in the `X-CSRFToken` header (or the form field
 * `csrfmiddlewaretoken`), compared in constant time. Safe methods pass.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import { timingSafeEqual } from '../crypto/compare';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { readData } from '../http/body';
import { isCsrfToken, readCookie } from '../http/cookies';
import { SAFE_METHODS } from '../http/safe-methods';

/** The form field Django's templates carry the token in. */
export const CSRF_FORM_FIELD = 'csrfmiddlewaretoken';

export function csrfFailed(reason: string): AuthError {
  return new AuthError('permission_denied', `CSRF Failed: ${reason}`, { reason: 'csrf' });
}

/**
 * The `Origin` / `Sec-Fetch-Site` half of the check alone: for logins, where
 * no CSRF cookie need exist yet (login CSRF). Requests without either header
 * (non-browser clients) pass. `Sec-Fetch-Site` is the browser's own verdict
 * and outranks `Origin`: a `cross-site` or `same-site` request passes only
 * from an origin listed in `CSRF_TRUSTED_ORIGINS`, even when its `Origin`
 * names this site, and `Origin: null` passes only as `same-origin`.
 */
export function enforceSameOrigin(c: Context<AppEnv>, config: AuthConfig): void {
  const origin = c.req.header('Origin');
  const fetchSite = c.req.header('Sec-Fetch-Site');
  const listed = origin !== undefined && config.CSRF_TRUSTED_ORIGINS.includes(origin);
  const sameOrigin = fetchSite === undefined || fetchSite === 'same-origin' || fetchSite === 'none';
  // A page served with `Referrer-Policy: no-referrer` (the password-reset
  // link) makes the browser send `Origin: null` with its own form; only the
  // browser's `same-origin` verdict vouches for such a request.
  const hidden = origin === 'null' && fetchSite === 'same-origin';
  const trusted = sameOrigin
    ? origin === undefined || listed || hidden || origin === new URL(c.req.url).origin
    : listed;
  if (!trusted) {
    const who = origin ?? `a ${fetchSite} request`;
    throw csrfFailed(`Origin checking failed - ${who} does not match any trusted origins.`);
  }
}

async function presentedToken(c: Context<AppEnv>, config: AuthConfig): Promise<string | undefined> {
  const header = c.req.header(config.CSRF_HEADER_NAME);
  if (header !== undefined) return header;
  const type = c.req.header('Content-Type') ?? '';
  if (!/^(application\/x-www-form-urlencoded|multipart\/form-data)/i.test(type)) return undefined;
  const field = (await readData(c))[CSRF_FORM_FIELD];
  return typeof field === 'string' ? field : undefined;
}

/** Throws DRF's `CSRF Failed: ...` (403) unless the unsafe request passes every check. */
export async function enforceCsrf(c: Context<AppEnv>, config: AuthConfig): Promise<void> {
  if (SAFE_METHODS.has(c.req.method)) return;
  enforceSameOrigin(c, config);
  const cookie = readCookie(c, config.CSRF_COOKIE_NAME);
  if (cookie === undefined) throw csrfFailed('CSRF cookie not set.');
  const presented = await presentedToken(c, config);
  const wellFormed = isCsrfToken(cookie) && presented !== undefined && isCsrfToken(presented);
  if (!wellFormed || !timingSafeEqual(presented, cookie)) {
    throw csrfFailed('CSRF token missing or incorrect.');
  }
}
