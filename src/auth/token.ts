/**
 * @module auth/token
 * DRF's `TokenAuthentication` for opaque tokens: `Authorization: Token <key>`
 * (keyword `TOKEN_AUTH_KEYWORD`, case-insensitive), DRF's error texts and
 * `WWW-Authenticate: Token`. One D1 read per request (the token with its
 * owner); `last_used` and sliding-expiry writes are throttled and happen
 * after the response.
 */
import type { AuthConfig } from '../config';
import { AuthError } from '../errors';
import { defer } from '../http/defer';
import type { ApiTokenService } from '../services/api-tokens';
import { authorizationParts } from './header';
import type { Authenticator } from './types';

function failed(detail: string): AuthError {
  return new AuthError('authentication_failed', detail);
}

export function tokenAuthentication(config: AuthConfig, apiTokens: ApiTokenService): Authenticator {
  const keyword = config.TOKEN_AUTH_KEYWORD.toLowerCase();
  return {
    name: 'TokenAuthentication',
    challenge: () => config.TOKEN_AUTH_KEYWORD,
    async authenticate(c) {
      const parts = authorizationParts(c);
      if (parts.length === 0 || parts[0]!.toLowerCase() !== keyword) return null;
      if (parts.length === 1) throw failed('Invalid token header. No credentials provided.');
      if (parts.length > 2) {
        throw failed('Invalid token header. Token string should not contain spaces.');
      }
      const { token, user, touch } = await apiTokens.authenticate(parts[1]!);
      if (touch) await defer(c, 'token last_used write', touch);
      return {
        method: 'token',
        userId: user.id,
        user,
        credential: { kind: 'token', id: token.id },
        scopes: token.scopes,
      };
    },
  };
}
