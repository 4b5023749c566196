/**
 * @module routes/token
 * simplejwt's views under `ROUTE_PREFIX_JWT` (default `/api/token`):
 * obtain `/`, `refresh/`, `verify/`, `blacklist/`, plus `logout/` (this
 * login, access token included) and `logoutall/` (every credential of the
 * user). Like simplejwt's, the first four run no authentication classes and
 * answer token errors with 401 and `WWW-Authenticate: Bearer realm="api"`.
 *
 * Cookie mode (`JWT_AUTH_COOKIE` set): obtain and refresh also set the access
 * token in an HttpOnly cookie and the refresh token in one scoped to these
 * routes; refresh, blacklist and logout read the refresh cookie when the body
 * has no token, and then require the CSRF check.
 */
import type { Context, Hono } from 'hono';
import { authenticate } from '../auth/authenticate';
import { enforceCsrf, enforceSameOrigin } from '../auth/csrf';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { readData } from '../http/body';
import {
  ensureCsrfCookie,
  expireCookie,
  readCookie,
  rotateCsrfCookie,
  setCredentialCookie,
} from '../http/cookies';
import { unverifiedLifetime } from '../crypto/jwt';
import { endpoint } from '../http/endpoint';
import { IsAuthenticated, IsNotScopedToken, requirePermission } from '../permissions';
import { logoutJwt, revokeAllCredentials } from '../services/revocation';
import {
  bearerChallenge,
  blacklistRefresh,
  obtainPair,
  refreshPair,
  verifyToken,
} from '../services/tokens';
import { revocationDeps, tokenDeps, credentialsFromBody } from './deps';
import { Fields } from '../validation/fields';

function refreshCookiePath(config: AuthConfig): string {
  return `${config.ROUTE_PREFIX_JWT}/`;
}

/**
 * Cookie mode: the new tokens as cookies, and a CSRF token for the client to
 * echo (a new one at login, which rotates it, as Django's `login()` does).
 */
function setTokenCookies(
  c: Context<AppEnv>,
  tokens: { access: string; refresh?: string },
  login: boolean,
) {
  const { config } = c.var.edgeauth;
  if (config.JWT_AUTH_COOKIE === undefined) return;
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

function clearTokenCookies(c: Context<AppEnv>) {
  const { config } = c.var.edgeauth;
  if (config.JWT_AUTH_COOKIE === undefined) return;
  const sameSite = config.JWT_AUTH_SAMESITE;
  expireCookie(c, config, config.JWT_AUTH_COOKIE, { sameSite });
  expireCookie(c, config, config.JWT_AUTH_REFRESH_COOKIE, {
    path: refreshCookiePath(config),
    sameSite,
  });
}

/** A token field from the body; in cookie mode, from the refresh cookie (CSRF-checked). */
async function tokenField(c: Context<AppEnv>, name: string, cookie?: string): Promise<string> {
  const fields = new Fields(await readData(c));
  if (cookie !== undefined && !fields.has(name)) {
    const value = readCookie(c, cookie);
    if (value !== undefined) {
      await enforceCsrf(c, c.var.edgeauth.config);
      return value;
    }
  }
  const value = fields.string(name);
  fields.check();
  return value!;
}

function refreshCookieName(config: AuthConfig): string | undefined {
  return config.JWT_AUTH_COOKIE === undefined ? undefined : config.JWT_AUTH_REFRESH_COOKIE;
}

async function obtain(c: Context<AppEnv>): Promise<Response> {
  const { config } = c.var.edgeauth;
  // In cookie mode a cross-site form must not log a browser into someone's account.
  if (config.JWT_AUTH_COOKIE !== undefined) enforceSameOrigin(c, config);
  const user = await credentialsFromBody(c);
  if (!user) {
    throw new AuthError('no_active_account', 'No active account found with the given credentials', {
      challenge: bearerChallenge(config),
    });
  }
  const pair = await obtainPair(tokenDeps(c), user);
  setTokenCookies(c, pair, true);
  return c.json(pair);
}

async function refresh(c: Context<AppEnv>): Promise<Response> {
  const token = await tokenField(c, 'refresh', refreshCookieName(c.var.edgeauth.config));
  const result = await refreshPair(tokenDeps(c), token);
  setTokenCookies(c, result, false);
  return c.json(result);
}

async function verify(c: Context<AppEnv>): Promise<Response> {
  await verifyToken(tokenDeps(c), await tokenField(c, 'token'));
  return c.json({});
}

async function blacklist(c: Context<AppEnv>): Promise<Response> {
  const token = await tokenField(c, 'refresh', refreshCookieName(c.var.edgeauth.config));
  await blacklistRefresh(tokenDeps(c), token);
  clearTokenCookies(c);
  return c.json({});
}

async function logout(c: Context<AppEnv>): Promise<Response> {
  const credential = c.var.auth!.credential;
  if (credential?.kind !== 'jwt') throw new Error('logout/ runs only JWTAuthentication');
  await logoutJwt(tokenDeps(c), credential);
  clearTokenCookies(c);
  return c.json({ detail: 'Successfully logged out.' });
}

async function logoutAll(c: Context<AppEnv>): Promise<Response> {
  await revokeAllCredentials(revocationDeps(c), c.var.auth!.userId);
  clearTokenCookies(c);
  return c.json({ detail: 'Successfully logged out everywhere.' });
}

export function tokenRoutes(app: Hono<AppEnv>, prefix: string): void {
  app.all(prefix, endpoint({ name: 'Token Obtain Pair' }, { POST: obtain }));
  app.all(`${prefix}/refresh`, endpoint({ name: 'Token Refresh' }, { POST: refresh }));
  app.all(`${prefix}/verify`, endpoint({ name: 'Token Verify' }, { POST: verify }));
  app.all(`${prefix}/blacklist`, endpoint({ name: 'Token Blacklist' }, { POST: blacklist }));
  app.all(
    `${prefix}/logout`,
    authenticate({ classes: ['JWTAuthentication'] }),
    requirePermission(IsAuthenticated),
    endpoint({ name: 'Token Logout' }, { POST: logout }),
  );
  app.all(
    `${prefix}/logoutall`,
    authenticate(),
    requirePermission(IsAuthenticated, IsNotScopedToken),
    endpoint({ name: 'Token Logout All' }, { POST: logoutAll }),
  );
}
