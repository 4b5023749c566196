/**
 * @module auth/jwt
 * simplejwt's `JWTAuthentication`: `Authorization: Bearer <access token>`
 * (schemes from `AUTH_HEADER_TYPES`, matched case-insensitively), or, in
 * cookie mode, the access-token cookie when there is no header.
 *
 * The per-request cost is one signature check and one KV bulk read (is this
 * token, its login or everything the user held before some moment revoked?).
 * It never touches D1: the identity comes from the claims.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import { InvalidToken } from '../crypto/jwt';
import type { AppEnv } from '../env';
import { AuthError } from '../errors';
import { readCookie } from '../http/cookies';
import { bearerChallenge, issuedAt } from '../services/tokens';
import { decodeToken, type DecodedToken } from '../services/token-claims';
import { enforceCsrf } from './csrf';
import { authorizationParts } from './header';
import type { Authentication, Authenticator } from './types';

/** simplejwt's answer for an access token that does not validate. */
function invalidAccess(message: string, reason: string, cause?: unknown): AuthError {
  return new AuthError('token_not_valid', 'Given token not valid for any token type', {
    extra: { messages: [{ token_class: 'AccessToken', token_type: 'access', message }] },
    reason,
    cause,
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

async function decodeAccess(c: Context<AppEnv>, token: string): Promise<DecodedToken> {
  const { codec, config } = c.var.edgeauth;
  let decoded: DecodedToken;
  try {
    decoded = await decodeToken(codec, config, token);
  } catch (err) {
    if (err instanceof InvalidToken)
      throw invalidAccess('Token is invalid or expired', err.reason, err);
    throw err;
  }
  if (decoded.type !== 'access') throw invalidAccess('Token has wrong type', 'wrong type');
  if (decoded.userId === undefined) {
    throw new AuthError('token_not_valid', 'Token contained no recognizable user identification');
  }
  return decoded;
}

async function checkRevocation(c: Context<AppEnv>, token: DecodedToken, userId: number) {
  const state = await c.var.edgeauth.stores.revocations.check({
    jti: token.jti,
    family: token.family,
    userId,
  });
  if (state.tokenRevoked || state.familyRevoked) {
    throw invalidAccess('Token is blacklisted', 'revoked');
  }
  if (state.revokedBefore !== null && issuedAt(token) < state.revokedBefore) {
    throw invalidAccess('Token is blacklisted', 'issued before the credentials changed');
  }
}

export function jwtAuthentication(config: AuthConfig): Authenticator {
  return {
    name: 'JWTAuthentication',
    challenge: () => bearerChallenge(config),
    async authenticate(c): Promise<Authentication | null> {
      const raw = rawToken(c, config);
      if (!raw) return null;
      const token = await decodeAccess(c, raw.token);
      const userId = token.userId!;
      await checkRevocation(c, token, userId);
      if (raw.cookie) await enforceCsrf(c, config);
      return {
        method: 'jwt',
        userId,
        credential: { kind: 'jwt', jti: token.jti, exp: token.exp, family: token.family },
        viaCookie: raw.cookie,
      };
    },
  };
}
