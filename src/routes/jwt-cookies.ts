/**
 * @module routes/jwt-cookies
 * Cookie mode (`JWT_AUTH_COOKIE` set): the new tokens as cookies, and a CSRF
 * token for the client to echo (a new one at login, which rotates it, as
 * Django's `login()` does). Nothing happens when cookie mode is off.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import { unverifiedLifetime } from '../crypto/jwt';
import type { AppEnv } from '../env';
import {
  ensureCsrfCookie,
  expireCookie,
  rotateCsrfCookie,
  setCredentialCookie,
} from '../http/cookies';

/** The refresh cookie is sent to the JWT routes only. */
function refreshCookiePath(config: AuthConfig): string {
  return `${config.ROUTE_PREFIX_JWT}/`;
}

export function setJwtCookies(
  c: Context<AppEnv>,
  config: AuthConfig,
  tokens: { access?: string | undefined; refresh?: string | undefined },
  login: boolean,
): void {
  if (config.JWT_AUTH_COOKIE === undefined || tokens.access === undefined) return;
  const sameSite = config.JWT_AUTH_SAMESITE;
  const access = { name: config.JWT_AUTH_COOKIE, value: tokens.access, path: '/', sameSite };
  setCredentialCookie(c, config, { ...access, maxAge: config.ACCESS_TOKEN_LIFETIME });
  if (tokens.refresh !== undefined) {
    const lifetime = unverifiedLifetime(tokens.refresh);
    setCredentialCookie(c, config, {
      name: config.JWT_AUTH_REFRESH_COOKIE,
      value: tokens.refresh,
      path: refreshCookiePath(config),
      sameSite,
      maxAge: lifetime ?? config.REFRESH_TOKEN_LIFETIME,
    });
  }
  if (login) rotateCsrfCookie(c, config);
  else ensureCsrfCookie(c, config);
}

export function clearJwtCookies(c: Context<AppEnv>, config: AuthConfig): void {
  if (config.JWT_AUTH_COOKIE === undefined) return;
  const sameSite = config.JWT_AUTH_SAMESITE;
  expireCookie(c, config, config.JWT_AUTH_COOKIE, { sameSite });
  expireCookie(c, config, config.JWT_AUTH_REFRESH_COOKIE, {
    path: refreshCookiePath(config),
    sameSite,
  });
}
