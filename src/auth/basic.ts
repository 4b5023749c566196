/**
 * @module auth/basic
 * DRF's `BasicAuthentication`: `Authorization: Basic base64(username:password)`,
 * with DRF's error texts, through the login pipeline (`services/login.ts`). Every request costs one password hash, so this is
 * for scripts and development; API clients should use tokens.
 *
 * A password over `PASSWORD_MAX_LENGTH` is answered like a wrong one (401
 * `Invalid username/password.`) without any hashing: a header has no fields
 * to attach DRF's 400 field error to, and an authentication class can only
 * authenticate or fail. The answer does not depend on the account, so the
 * quicker refusal reveals nothing.
 */
import { fromBase64 } from '../crypto/encoding';
import { AuthError } from '../errors';
import { clientDetails } from '../http/client';
import { EMAIL_NOT_VERIFIED, type LoginService } from '../services/login';
import { authorizationParts } from './header';
import type { Authenticator } from './types';

function failed(detail: string): AuthError {
  return new AuthError('authentication_failed', detail);
}

/** Decodes the credentials as Django does: UTF-8, else Latin-1. */
function decodeCredentials(encoded: string): string | undefined {
  const bytes = fromBase64(encoded);
  if (!bytes) return undefined;
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    return new TextDecoder('latin1').decode(bytes);
  }
}

export function basicAuthentication(login: LoginService): Authenticator {
  return {
    name: 'BasicAuthentication',
    challenge: () => 'Basic realm="api"',
    async authenticate(c) {
      const parts = authorizationParts(c);
      if (parts.length === 0 || parts[0]!.toLowerCase() !== 'basic') return null;
      if (parts.length === 1) throw failed('Invalid basic header. No credentials provided.');
      if (parts.length > 2) {
        throw failed('Invalid basic header. Credentials string should not contain spaces.');
      }
      const decoded = decodeCredentials(parts[1]!);
      if (decoded === undefined) {
        throw failed('Invalid basic header. Credentials not correctly base64 encoded.');
      }
      const colon = decoded.indexOf(':');
      const username = colon < 0 ? decoded : decoded.slice(0, colon);
      const password = colon < 0 ? '' : decoded.slice(colon + 1);
      const attempt = { channel: 'basic' as const, username, password, client: clientDetails(c) };
      const result = await login.logIn(attempt, { kind: 'none' });
      if (!result.ok) {
        const { reason } = result.refusal;
        throw failed(
          reason === 'email_not_verified' ? EMAIL_NOT_VERIFIED : 'Invalid username/password.',
        );
      }
      return { method: 'basic', userId: result.user.id, user: result.user };
    },
  };
}
