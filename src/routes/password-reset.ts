/**
 * @module routes/password-reset
 * dj-rest-auth's `password/reset/` and `password/reset/confirm/` under
 * `ROUTE_PREFIX_AUTH`, and what the HTML pages (`password-reset-pages.ts`)
 * share with them: starting a reset after the response, and the event of a
 * completed one.
 *
 * The request always answers the same 200 at once: finding the accounts,
 * writing the token and sending the mail all run after the response
 * (`defer`), so neither the body nor the timing says whether the address
 * has an account.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { clientDetails } from '../http/client';
import { defer } from '../http/defer';
import { AllowAny } from '../permissions';
import type { User } from '../services/users';
import type { Fields } from '../validation/fields';
import { body, string } from '../validation/schema';
import { EMAIL_INVALID, isValidEmail } from '../validation/username';
import { operation, type RouteDeclaration } from './declare';
import { VALIDATION_ERROR, json, ref } from './responses';

export const RESET_SENT = 'Password reset e-mail has been sent.';
export const RESET_DONE = 'Password has been reset with the new password.';

/** Where the mail's links point: `PASSWORD_RESET_URL`, else the Worker's own confirm page. */
export function resetLinkBase(c: Context<AppEnv>): string {
  const config = c.var.edgeauth.config;
  const base = config.PASSWORD_RESET_URL ?? `${config.ROUTE_PREFIX_LOGIN}/password/reset/`;
  return base.startsWith('/') ? `${new URL(c.req.url).origin}${base}` : base;
}

/**
 * Starts a reset for `email` after the response. The request path does no
 * storage work at all here: the answer is the same, in the same time,
 * whether or not the address has an account.
 */
export function startReset(c: Context<AppEnv>, email: string): Promise<void> {
  const request = { linkBase: resetLinkBase(c), client: clientDetails(c) };
  const { passwordReset } = c.var.edgeauth.services;
  return defer(c, 'password reset request', () => passwordReset.request(email, request));
}

/** Records `password_reset_completed` after the response. */
export function recordResetCompleted(c: Context<AppEnv>, user: User): Promise<void> {
  const { ip, userAgent } = clientDetails(c);
  const { audit } = c.var.edgeauth.services;
  return defer(c, 'security event', () =>
    audit.record({ type: 'password_reset_completed', userId: user.id, ip, userAgent }),
  );
}

/** DRF's `EmailField`: a string, trimmed, not blank, then a valid address. */
export function checkEmail(value: { email: string }, fields: Fields) {
  if (!isValidEmail(value.email)) fields.add('email', EMAIL_INVALID);
  return value;
}

const resetRequest = body(
  { email: string({ format: 'email', description: 'The address of the account.' }) },
  { refine: checkEmail },
);

function resetConfirmation(config: AuthConfig) {
  const password = {
    trim: false,
    maxLength: config.PASSWORD_MAX_LENGTH,
    format: 'password',
  } as const;
  return body({
    uid: string({ description: 'From the link: the account id, urlsafe base64.' }),
    token: string({ description: 'From the link.' }),
    new_password1: string(password),
    new_password2: string({ ...password, description: 'new_password1 again.' }),
  });
}

export function passwordResetRoutes(config: AuthConfig): RouteDeclaration[] {
  const prefix = `${config.ROUTE_PREFIX_AUTH}/password/reset`;
  const tag = 'Password reset';
  return [
    {
      path: `${prefix}/`,
      name: 'Password Reset',
      tag,
      operations: {
        POST: operation({
          summary: 'Mail a password-reset link (dj-rest-auth password/reset/)',
          description:
            'Always the same answer, at once: the accounts are looked up and mailed after the response.',
          authentication: 'default',
          permissions: [AllowAny],
          body: resetRequest,
          responses: {
            200: json('The same answer whether or not the address has an account.', ref('Detail')),
            400: VALIDATION_ERROR,
            503: json('No mail backend is configured.', ref('Error')),
          },
          async handler(c, { body }) {
            c.var.edgeauth.services.mail.require();
            const { email } = await body();
            await startReset(c, email);
            return c.json({ detail: RESET_SENT });
          },
        }),
      },
    },
    {
      path: `${prefix}/confirm/`,
      name: 'Password Reset Confirm',
      tag,
      operations: {
        POST: operation({
          summary: 'Set a new password through a reset link (dj-rest-auth password/reset/confirm/)',
          description: 'Revokes every credential the account holds.',
          authentication: 'default',
          permissions: [AllowAny],
          body: resetConfirmation(config),
          responses: {
            200: json('The password was set.', ref('Detail')),
            400: VALIDATION_ERROR,
          },
          async handler(c, { body }) {
            const input = await body();
            const user = await c.var.edgeauth.services.passwordReset.confirm({
              uid: input.uid,
              token: input.token,
              newPassword1: input.new_password1,
              newPassword2: input.new_password2,
            });
            await recordResetCompleted(c, user);
            return c.json({ detail: RESET_DONE });
          },
        }),
      },
    },
  ];
}
