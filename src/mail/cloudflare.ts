/**
 * @module mail/cloudflare
 * The Cloudflare Email Service backend (`EMAIL_BACKEND=cloudflare`): each
 * mail goes through the Worker's `send_email` binding named `EMAIL`, as a
 * structured message (from `DEFAULT_FROM_EMAIL`, text and HTML parts), so no
 * MIME is built here. Cloudflare sends only from a domain onboarded to Email
 * Sending, and to any address only on the Workers Paid plan (on Free, to
 * verified addresses only): README, Mail.
 *
 * A refusal of the binding throws {@link MailDeliveryError} with the
 * binding's reason, addresses removed; never the mail.
 *
 * @example
 * const mailer = cloudflareMailer(env.EMAIL, 'Site <noreply@example.com>');
 */
import { describe } from '../errors';
import { MailDeliveryError, type Mailer } from './types';

/** `Name <address>` as the binding's `{name, email}`; a bare address as it is. */
function sender(from: string): string | EmailAddress {
  const match = /^(.*\S)\s*<([^<>]+)>$/.exec(from);
  return match ? { name: match[1]!, email: match[2]! } : from;
}

export function cloudflareMailer(binding: SendEmail, from: string): Mailer {
  const fromAddress = sender(from);
  return {
    name: 'cloudflare',
    async send(mail) {
      try {
        await binding.send({
          from: fromAddress,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
        });
      } catch (err) {
        throw new MailDeliveryError('cloudflare', `send_email refused the mail: ${describe(err)}`);
      }
    },
  };
}
