/**
 * @module routes/jwt
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
import type { Context } from 'hono';
import { enforceCsrf, enforceSameOrigin } from '../auth/csrf';
import { bearerChallenge } from '../auth/jwt';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { AuthError, ValidationError } from '../errors';
import { readCookie } from '../http/cookies';
import { IsAuthenticated, IsNotScopedToken } from '../permissions';
import { JwtRejected } from '../services/jwt';
import { EMAIL_NOT_VERIFIED } from '../services/login';
import { body, string } from '../validation/schema';
import { credentials, loginAttempt } from './credentials';
import { operation, type ResponseSpec, type RouteDeclaration } from './declare';
import { clearJwtCookies, setJwtCookies } from './jwt-cookies';
import { VALIDATION_ERROR, json, ref } from './responses';

const TOKEN_VIEW_MESSAGES = {
  invalid: 'Token is invalid or expired',
  no_user: 'Token is invalid or expired',
  wrong_type: 'Token has wrong type',
  blacklisted: 'Token is blacklisted',
} as const;

/** simplejwt's answer on its token views for a refused token. */
function tokenViewError(config: AuthConfig, err: JwtRejected): AuthError {
  const challenge = bearerChallenge(config);
  if (err.kind === 'inactive_account') {
    return new AuthError('no_active_account', 'No active account found for the given token.', {
      challenge,
    });
  }
  return new AuthError('token_not_valid', TOKEN_VIEW_MESSAGES[err.kind], {
    challenge,
    reason: err.reason,
    cause: err,
  });
}

/** Runs a JWT use case, answering its refusals as simplejwt's token views do. */
async function tokenView<T>(config: AuthConfig, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    throw err instanceof JwtRejected ? tokenViewError(config, err) : err;
  }
}

/**
 * A token field from the body; in cookie mode, when the body has none, from
 * the refresh cookie, and then the request must pass the CSRF check.
 */
async function tokenField(
  c: Context<AppEnv>,
  read: () => Promise<Record<string, string | undefined>>,
  name: string,
  cookie: string | undefined,
): Promise<string> {
  const fields = await read();
  const value = fields[name];
  if (value !== undefined) return value;
  const fromCookie = cookie === undefined ? undefined : readCookie(c, cookie);
  if (fromCookie === undefined) throw new ValidationError({ [name]: ['This field is required.'] });
  await enforceCsrf(c, c.var.edgeauth.config);
  return fromCookie;
}

const TOKEN_ERROR = json(
  'The token is invalid, expired, of the wrong type, or revoked.',
  ref('TokenError'),
);

export function jwtRoutes(config: AuthConfig): RouteDeclaration[] {
  const prefix = config.ROUTE_PREFIX_JWT;
  const cookieMode = config.JWT_AUTH_COOKIE !== undefined;
  const refreshCookie = cookieMode ? config.JWT_AUTH_REFRESH_COOKIE : undefined;
  const cookieNote = cookieMode ? ' Without one, the refresh cookie (and the CSRF check).' : '';
  const refreshBody = body({
    refresh: string({ required: !cookieMode, description: `A refresh token.${cookieNote}` }),
  });
  const verifyBody = body({ token: string({ description: 'An access or refresh token.' }) });
  // Cookie mode: a cross-site login, or the refresh cookie sent without its CSRF token.
  const csrfRefusal: Record<number, ResponseSpec> = cookieMode
    ? { 403: json('The CSRF check failed.', ref('Error')) }
    : {};
  const tag = 'JWT';

  return [
    {
      path: `${prefix}/`,
      name: 'Token Obtain Pair',
      tag,
      operations: {
        POST: operation({
          summary: 'Log in: a refresh and an access token for a username and password',
          authentication: [],
          permissions: [],
          body: credentials(config),
          responses: {
            200: json('The new login’s tokens.', ref('TokenPair')),
            400: VALIDATION_ERROR,
            401: json('No active account with these credentials.', ref('Error')),
            ...csrfRefusal,
          },
          async handler(c, { body }) {
            // In cookie mode a cross-site form must not log a browser into someone's account.
            if (cookieMode) enforceSameOrigin(c, config);
            const attempt = loginAttempt(c, 'jwt', await body());
            const result = await c.var.edgeauth.services.login.logIn(attempt, { kind: 'jwt' });
            if (!result.ok) {
              // dj-rest-auth's answer, only ever after a correct password.
              if (result.refusal.reason === 'email_not_verified') {
                throw ValidationError.nonField(EMAIL_NOT_VERIFIED);
              }
              throw new AuthError(
                'no_active_account',
                'No active account found with the given credentials',
                { challenge: bearerChallenge(config) },
              );
            }
            setJwtCookies(c, config, result.issued, true);
            return c.json(result.issued);
          },
        }),
      },
    },
    {
      path: `${prefix}/refresh/`,
      name: 'Token Refresh',
      tag,
      operations: {
        POST: operation({
          summary: 'A new access token (and, with rotation, a new refresh token)',
          authentication: [],
          permissions: [],
          body: refreshBody,
          responses: {
            200: json('The new tokens.', ref('Refreshed')),
            400: VALIDATION_ERROR,
            401: TOKEN_ERROR,
            ...csrfRefusal,
          },
          async handler(c, { body }) {
            const token = await tokenField(c, body, 'refresh', refreshCookie);
            const result = await tokenView(config, () =>
              c.var.edgeauth.services.jwt.refresh(token),
            );
            setJwtCookies(c, config, result, false);
            return c.json(result);
          },
        }),
      },
    },
    {
      path: `${prefix}/verify/`,
      name: 'Token Verify',
      tag,
      operations: {
        POST: operation({
          summary: 'Whether a token is valid',
          authentication: [],
          permissions: [],
          body: verifyBody,
          responses: {
            200: json('The token is valid.', ref('Empty')),
            400: json('The token is revoked, or a field is missing.', ref('ValidationError')),
            401: TOKEN_ERROR,
          },
          async handler(c, { body }) {
            const { token } = await body();
            const { jwt } = c.var.edgeauth.services;
            const verdict = await tokenView(config, () => jwt.verify(token));
            if (verdict.revoked) throw ValidationError.nonField('Token is blacklisted');
            return c.json({});
          },
        }),
      },
    },
    {
      path: `${prefix}/blacklist/`,
      name: 'Token Blacklist',
      tag,
      operations: {
        POST: operation({
          summary: 'Revoke a refresh token (its whole login)',
          authentication: [],
          permissions: [],
          body: refreshBody,
          responses: {
            200: json('Revoked.', ref('Empty')),
            400: VALIDATION_ERROR,
            401: TOKEN_ERROR,
            ...csrfRefusal,
          },
          async handler(c, { body }) {
            const token = await tokenField(c, body, 'refresh', refreshCookie);
            await tokenView(config, () => c.var.edgeauth.services.jwt.blacklist(token));
            clearJwtCookies(c, config);
            return c.json({});
          },
        }),
      },
    },
    {
      path: `${prefix}/logout/`,
      name: 'Token Logout',
      tag,
      operations: {
        POST: operation({
          summary: 'Log out this login: its refresh token and every access token of it',
          authentication: ['JWTAuthentication'],
          permissions: [IsAuthenticated],
          responses: { 200: json('Logged out.', ref('Detail')) },
          async handler(c, { auth }) {
            await c.var.edgeauth.services.jwt.logout(auth.credential);
            clearJwtCookies(c, config);
            return c.json({ detail: 'Successfully logged out.' });
          },
        }),
      },
    },
    {
      path: `${prefix}/logoutall/`,
      name: 'Token Logout All',
      tag,
      operations: {
        POST: operation({
          summary: 'Log out everywhere: every token and session of the user',
          authentication: 'default',
          permissions: [IsAuthenticated, IsNotScopedToken],
          responses: { 200: json('Every credential revoked.', ref('Detail')) },
          async handler(c, { auth }) {
            await c.var.edgeauth.services.revocation.revokeAllCredentials(auth.userId);
            clearJwtCookies(c, config);
            return c.json({ detail: 'Successfully logged out everywhere.' });
          },
        }),
      },
    },
  ];
}
