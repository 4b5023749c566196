/**
 * @module routes/credentials
 * The username-and-password body every login route takes, read as the
 * obtain views of DRF and simplejwt read it (`username` trimmed, `password`
 * never; a password over `PASSWORD_MAX_LENGTH` is DRF's 400 field error,
 * before any lookup or hashing), and the login attempt made from it.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { clientDetails } from '../http/client';
import type { LoginAttempt, LoginChannel } from '../services/login';
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
