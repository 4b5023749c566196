/**
 * @module http/cookies
 * The cookies edgeauth sets, with their attributes in one place: credential
 * cookies are `HttpOnly`, every cookie is `Secure` unless `COOKIE_SECURE` is
 * off (browsers accept `Secure` cookies on http://localhost), and the CSRF
 * cookie stays readable by scripts so they can echo it in `X-CSRFToken`.
 */
import type { Context } from 'hono';
import { getCookie, setCookie } from 'hono/cookie';
import type { AuthConfig } from '../config';
import { randomString } from '../crypto/random';

/** Django's `CSRF_COOKIE_AGE`: one year. */
export const CSRF_COOKIE_AGE = 31_449_600;

export function readCookie(c: Context, name: string): string | undefined {
  const value = getCookie(c, name);
  return value === undefined || value === '' ? undefined : value;
}

export interface CredentialCookie {
  name: string;
  value: string;
  /** Seconds. */
  maxAge: number;
  path: string;
  sameSite: 'Lax' | 'Strict';
}

export function setCredentialCookie(c: Context, config: AuthConfig, cookie: CredentialCookie) {
  setCookie(c, cookie.name, cookie.value, {
    path: cookie.path,
    maxAge: Math.max(0, Math.floor(cookie.maxAge)),
    httpOnly: true,
    secure: config.COOKIE_SECURE,
    sameSite: cookie.sameSite,
  });
}

/** Deletes a cookie the way Django does: empty, expired in 1970, `Max-Age=0`. */
export function expireCookie(
  c: Context,
  config: AuthConfig,
  name: string,
  options: { path?: string; sameSite?: 'Lax' | 'Strict' } = {},
) {
  setCookie(c, name, '', {
    path: options.path ?? '/',
    maxAge: 0,
    expires: new Date(0),
    secure: config.COOKIE_SECURE,
    sameSite: options.sameSite ?? 'Lax',
  });
}

/**
 * Sets a new CSRF token (64 alphanumerics, as Django's) and returns it.
 * Called at login, which rotates it, and whenever a form needs one.
 */
export function rotateCsrfCookie(c: Context, config: AuthConfig): string {
  const token = randomString(64);
  setCookie(c, config.CSRF_COOKIE_NAME, token, {
    path: '/',
    maxAge: CSRF_COOKIE_AGE,
    secure: config.COOKIE_SECURE,
    sameSite: 'Lax',
  });
  return token;
}

/** Django's CSRF token shape: 32 (secret) or 64 (masked) alphanumerics. */
export function isCsrfToken(value: string): boolean {
  return /^[A-Za-z0-9]{32}$|^[A-Za-z0-9]{64}$/.test(value);
}

/** The request's CSRF token, or a new one set on the response. */
export function ensureCsrfCookie(c: Context, config: AuthConfig): string {
  const existing = readCookie(c, config.CSRF_COOKIE_NAME);
  return existing !== undefined && isCsrfToken(existing) ? existing : rotateCsrfCookie(c, config);
}
