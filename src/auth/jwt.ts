/**
 * @module auth/jwt
 * simplejwt's `JWTAuthentication`: `Authorization: Bearer <access token>`
 * (schemes from `AUTH_HEADER_TYPES`, matched case-insensitively), or, in
 * cookie mode, the access-token cookie when there is no header.
 *
 * The per-request cost is one signature check and one KV bulk read (is this
 * token, its login or everything the user held before some moment revoked?).
 * It never touches D1: the identity comes from the claims. The policy itself
 * is the JWT service's (`services/jwt.ts`); this class reads the header and
 * answers refusals with simplejwt's texts.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { readCookie } from '../http/cookies';
import { JwtRejected, type JwtService } from '../services/jwt';
import { enforceCsrf } from './csrf';
import { authorizationParts } from './header';
import type { Authentication, Authenticator } from './types';

/** simplejwt's `WWW-Authenticate` on its authentication class and token views. */
export function bearerChallenge(config: AuthConfig): string {
  return `${config.AUTH_HEADER_TYPES[0]} realm="api"`;
}

const ACCESS_MESSAGES = {
  invalid: 'Token is invalid or expired',
  wrong_type: 'Token has wrong type',
  blacklisted: 'Token is blacklisted',
  inactive_account: 'Token is invalid or expired',
} as const;

/** simplejwt's answer for an access token that does not validate. */
function accessRefused(err: JwtRejected): AuthError {
  if (err.kind === 'no_user') {
    return new AuthError('token_not_valid', 'Token contained no recognizable user identification');
  }
  const message = ACCESS_MESSAGES[err.kind];
  return new AuthError('token_not_valid', 'Given token not valid for any token type', {
    extra: { messages: [{ token_class: 'AccessToken', token_type: 'access', message }] },
    reason: err.reason,
    cause: err,
  });
}

/** The raw token from the header, null when the header is not ours, or from the cookie. */
function rawToken(
  c: Context<AppEnv>,
  config: AuthConfig,
): { token: string; cookie: boolean } | null {
  const parts = authorizationParts(c);
  const types = config.AUTH_HEADER_TYPES.map((type) => type.toLowerCase());
  if (parts.length > 0 && types.includes(parts[0]!.toLowerCase())) {
    if (parts.length !== 2) {
      throw new AuthError(
        'bad_authorization_header',
        'Authorization header must contain two space-delimited values',
      );
    }
    return { token: parts[1]!, cookie: false };
  }
  if (config.JWT_AUTH_COOKIE === undefined || c.req.header('Authorization')) return null;
  const token = readCookie(c, config.JWT_AUTH_COOKIE);
  return token === undefined ? null : { token, cookie: true };
}

export function jwtAuthentication(config: AuthConfig, jwt: JwtService): Authenticator {
  return {
    name: 'JWTAuthentication',
    challenge: () => bearerChallenge(config),
    async authenticate(c): Promise<Authentication | null> {
      const raw = rawToken(c, config);
      if (!raw) return null;
      let identity;
      try {
        identity = await jwt.authenticate(raw.token);
      } catch (err) {
        throw err instanceof JwtRejected ? accessRefused(err) : err;
      }
      if (raw.cookie) await enforceCsrf(c, config);
      return { method: 'jwt', ...identity, viaCookie: raw.cookie };
    },
  };
}
