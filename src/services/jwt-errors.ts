/**
 * @module services/jwt-errors
 * Why the JWT policy refused a token, as a domain result. The HTTP side maps
 * each kind to simplejwt's answer: `auth/jwt.ts` for `JWTAuthentication`,
 * `routes/jwt.ts` for the token views.
 */

/**
 * - `invalid`: bad signature, expired, malformed, or an expired login;
 * - `wrong_type`: an access token where a refresh token is expected, or the reverse;
 * - `no_user`: no usable user id claim;
 * - `blacklisted`: revoked (the token, its login, or everything the user held);
 * - `inactive_account`: the login's account is inactive or deleted.
 */
export type JwtRejection =
  'invalid' | 'wrong_type' | 'no_user' | 'blacklisted' | 'inactive_account';

export class JwtRejected extends Error {
  constructor(
    readonly kind: JwtRejection,
    /** What really happened, for the log only. */
    readonly reason: string,
    cause?: unknown,
  ) {
    super(`token rejected: ${kind} (${reason})`, { cause });
    this.name = 'JwtRejected';
  }
}
