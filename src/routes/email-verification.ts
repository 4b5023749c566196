/**
 * @module routes/email-verification
 * dj-rest-auth's `registration/verify-email/` and `registration/resend-email/`
 * under `ROUTE_PREFIX_AUTH`, and the link the confirmation mails carry.
 *
 * verify-email answers dj-rest-auth's 404 `Not found.` for any key that does
 * not confirm anything (unknown, expired, used, or for an address the account
 * has left), so the answers tell one bad key from another no more than
 * allauth's do. resend-email always answers `{"detail": "ok"}` and does its
 * lookup and sending after the response.
 */
import type { Context } from 'hono';
import type { AuthConfig } from '../config';
import type { AppEnv } from '../env';
import { ApiError } from '../errors';
import { clientDetails } from '../http/client';
import { defer } from '../http/defer';
import { AllowAny } from '../permissions';
import type { MailContext } from '../services/emails';
import { body, custom, string } from '../validation/schema';
import { EMAIL_INVALID, EMAIL_MAX_LENGTH, isValidEmail } from '../validation/username';
import { operation, type RouteDeclaration } from './declare';
import { NOT_FOUND, VALIDATION_ERROR, json, ref } from './responses';

/** The confirm page (`routes/confirm-email-page.ts`), which the mails link to by default. */
export function confirmPagePath(config: AuthConfig): string {
  return `${config.ROUTE_PREFIX_LOGIN}/confirm-email/`;
}

/**
 * The mails' link for a key: `ACCOUNT_EMAIL_CONFIRMATION_URL` with the key
 * in it, else this Worker's confirm page; a path is made absolute with the
 * request's origin (on Cloudflare, the hostname the route serves).
 */
export function mailContext(c: Context<AppEnv>): MailContext {
  const { config } = c.var.edgeauth;
  const template = config.ACCOUNT_EMAIL_CONFIRMATION_URL ?? `${confirmPagePath(config)}?key={key}`;
  const origin = new URL(c.req.url).origin;
  return {
    link(key) {
      const url = template.replace('{key}', key);
      return url.startsWith('/') ? origin + url : url;
    },
    client: clientDetails(c),
  };
}

/**
 * Confirms `key` and records what it did after the response; false when the
 * key confirms nothing. Shared with the HTML confirm page.
 */
export async function confirmKey(c: Context<AppEnv>, key: string): Promise<boolean> {
  const { emails, audit } = c.var.edgeauth.services;
  const confirmed = await emails.confirm(key);
  if (!confirmed) return false;
  const event = { type: confirmed.event, userId: confirmed.userId, ...clientDetails(c) };
  await defer(c, 'security event', () => audit.record(event));
  return true;
}

const keyBody = body({ key: string({ description: 'The key from the confirmation mail.' }) });

/** DRF's `EmailField`: required, not blank, a valid address. */
const emailBody = body({
  email: custom({
    required: true,
    schema: { type: 'string', format: 'email', maxLength: EMAIL_MAX_LENGTH, minLength: 1 },
    read(fields, name) {
      const value = fields.string(name, { maxLength: EMAIL_MAX_LENGTH });
      if (value !== undefined && !isValidEmail(value)) fields.add(name, EMAIL_INVALID);
      return value;
    },
  }),
});

const OK = { detail: 'ok' } as const;

export function emailVerificationRoutes(config: AuthConfig): RouteDeclaration[] {
  const prefix = `${config.ROUTE_PREFIX_AUTH}/registration`;
  const tag = 'Accounts';
  const anyone = { authentication: 'default', permissions: [AllowAny] } as const;
  return [
    {
      path: `${prefix}/verify-email/`,
      name: 'Verify Email',
      tag,
      operations: {
        POST: operation({
          summary: 'Confirm an email address with the key from its mail (dj-rest-auth)',
          description:
            'Verifies the account’s address, or applies a pending email change. A key works once.',
          ...anyone,
          body: keyBody,
          responses: {
            200: json('Confirmed.', ref('Detail')),
            400: VALIDATION_ERROR,
            404: NOT_FOUND,
          },
          async handler(c, { body }) {
            const { key } = await body();
            if (!(await confirmKey(c, key))) throw new ApiError('not_found', 'Not found.');
            return c.json(OK);
          },
        }),
      },
    },
    {
      path: `${prefix}/resend-email/`,
      name: 'Resend Email Verification',
      tag,
      operations: {
        POST: operation({
          summary: 'Send the verification mail again (dj-rest-auth)',
          description:
            'Always `{"detail": "ok"}`: a new key goes to every active account with this ' +
            'unverified address, after the response.',
          ...anyone,
          body: emailBody,
          responses: {
            200: json('Always, whether or not a mail was sent.', ref('Detail')),
            400: VALIDATION_ERROR,
            503: json('No mail backend is configured.', ref('Error')),
          },
          async handler(c, { body }) {
            const { email } = await body();
            const { emails, mail } = c.var.edgeauth.services;
            mail.require();
            await defer(c, 'verification mail', emails.resend(email, mailContext(c)));
            return c.json(OK);
          },
        }),
      },
    },
  ];
}
