/**
 * @module routes/credentials
 * The username-and-password body every login route takes, read as the
 * obtain views of DRF and simplejwt read it (`username` trimmed, `password`
 * never; a password over `PASSWORD_MAX_LENGTH` is DRF's 400 field error,
 * before any lookup or hashing), the login attempt made from it, and the
 * answer to a refused login.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { clientDetails } from '../http/client';
import { ValidationError } from '../errors';
import {
  EMAIL_NOT_VERIFIED,
  type LoginAttempt,
  type LoginChannel,
  type LoginRefusal,
} from '../services/login';
import { body, string } from '../validation/schema';

export function credentials(config: AuthConfig) {
  return body({
    username: string({ description: 'The account’s username (case-insensitive).' }),
    password: string({
      trim: false,
      maxLength: config.PASSWORD_MAX_LENGTH,
      format: 'password',
      description: 'Never trimmed or normalised.',
    }),
  });
}

export function loginAttempt(
  c: Context<AppEnv>,
  channel: LoginChannel,
  given: { username: string; password: string },
): LoginAttempt {
  return {
    channel,
    username: given.username,
    password: given.password,
    client: clientDetails(c),
  };
}

/**
 * DRF's 400 for a refused login on the routes that answer with a serializer
 * error (`/api-token-auth/`, the JSON session login): dj-rest-auth's
 * `E-mail is not verified.` after a correct password, else the one answer
 * for every other refusal.
 */
export function refusedLogin(refusal: LoginRefusal): ValidationError {
  return ValidationError.nonField(
    refusal.reason === 'email_not_verified'
      ? EMAIL_NOT_VERIFIED
      : 'Unable to log in with provided credentials.',
  );
}
