/**
 * @module http/headers
 * Headers on every response: Django's `SecurityMiddleware` defaults
 * (`X-Frame-Options`, `X-Content-Type-Options`, `Referrer-Policy`,
 * `Cross-Origin-Opener-Policy`, and `Strict-Transport-Security` on HTTPS
 * requests once `SECURE_HSTS_SECONDS` is set), and `Cache-Control: no-store`
 * unless the route chose its own, since most answers carry credentials or
 * account data. A route may choose a stricter `Referrer-Policy`.
 */
import type { MiddlewareHandler } from 'hono';
import type { AuthConfig } from '../config';

type HeaderSettings = Pick<
  AuthConfig,
  | 'SECURE_HSTS_SECONDS'
  | 'SECURE_HSTS_INCLUDE_SUBDOMAINS'
  | 'SECURE_HSTS_PRELOAD'
  | 'SECURE_CROSS_ORIGIN_OPENER_POLICY'
>;

/** The `Strict-Transport-Security` value, or undefined when HSTS is off. */
export function hstsValue(config: HeaderSettings): string | undefined {
  if (config.SECURE_HSTS_SECONDS === 0) return undefined;
  let value = `max-age=${config.SECURE_HSTS_SECONDS}`;
  if (config.SECURE_HSTS_INCLUDE_SUBDOMAINS) value += '; includeSubDomains';
  if (config.SECURE_HSTS_PRELOAD) value += '; preload';
  return value;
}

export function securityHeaders(config: HeaderSettings): MiddlewareHandler {
  const hsts = hstsValue(config);
  return async function securityHeaders(c, next) {
    await next();
    const headers = c.res.headers;
    headers.set('X-Frame-Options', 'DENY');
    headers.set('X-Content-Type-Options', 'nosniff');
    // A page whose URL carries a secret (a reset link, a confirmation key) sets a stricter policy
    // (`no-referrer`); keep it.
    if (!headers.has('Referrer-Policy')) headers.set('Referrer-Policy', 'same-origin');
    if (!headers.has('Cross-Origin-Opener-Policy')) {
      headers.set('Cross-Origin-Opener-Policy', config.SECURE_CROSS_ORIGIN_OPENER_POLICY);
    }
    // Browsers ignore HSTS over plain HTTP (RFC 6797 §8.1), and sending it there says nothing.
    if (hsts !== undefined && new URL(c.req.url).protocol === 'https:') {
      if (!headers.has('Strict-Transport-Security')) headers.set('Strict-Transport-Security', hsts);
    }
    if (!headers.has('Cache-Control')) headers.set('Cache-Control', 'no-store');
  };
}
