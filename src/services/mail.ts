/**
 * @module services/mail
 * Sending the account flows' mail: through the backend `EMAIL_BACKEND` names
 * (`mailerFromSettings`), after the response (callers `defer` it), never
 * reported to the requester. A failed send is logged and recorded as a
 * `mail_failed` security event. With no backend (production without one
 * configured) the flows that need mail refuse to start: a configuration
 * error, never mail silently dropped.
 */
import { ConfigError } from '../config/parse';
import { describe } from '../errors';
import { cloudflareMailer } from '../mail/cloudflare';
import { postmarkMailer } from '../mail/postmark';
import type { Mail, Mailer } from '../mail/types';
import type { OutboxStore } from '../storage/types';
import type { AuditService } from './audit';
import type { ServiceContext } from './context';

/** Why a flow that needs mail cannot run: no backend (production without `EMAIL_BACKEND`). */
const NO_BACKEND = 'no mail backend is configured, so the flows that send mail cannot run';

/**
 * The development backend: every mail is kept for an hour in the outbox
 * (`GET /api/dev/outbox/`), and its recipient and subject are logged; never
 * its body, which carries links with secrets.
 */
export function outboxMailer(outbox: OutboxStore, now: () => number): Mailer {
  return {
    name: 'outbox',
    async send(mail) {
      await outbox.put({ ...mail, sentAt: now() });
      console.log(`edgeauth mail (development outbox): to=${mail.to} subject=${mail.subject}`);
    },
  };
}

/**
 * The backend `EMAIL_BACKEND` names (`parseConfig` has resolved its default
 * and checked its settings), or null for none. `sendEmail` is the Worker's
 * `send_email` binding `EMAIL`, which `cloudflare` needs.
 */
export function mailerFromSettings(
  ctx: Pick<ServiceContext, 'config' | 'stores' | 'clock'>,
  sendEmail?: SendEmail,
): Mailer | null {
  const { config } = ctx;
  const from = config.DEFAULT_FROM_EMAIL ?? '';
  switch (config.EMAIL_BACKEND) {
    case 'outbox':
      return outboxMailer(ctx.stores.outbox, () => ctx.clock.now());
    case 'postmark':
      return postmarkMailer({
        token: config.EMAIL_API_KEY ?? '',
        url: config.EMAIL_API_URL,
        from,
        timeoutMs: Math.round(config.EMAIL_TIMEOUT * 1000),
      });
    case 'cloudflare':
      if (!sendEmail) {
        throw new ConfigError(
          'EMAIL_BACKEND',
          'cloudflare needs a send_email binding named EMAIL ([[send_email]] in wrangler.toml)',
        );
      }
      return cloudflareMailer(sendEmail, from);
    default:
      return null;
  }
}

export function createMailService(ctx: ServiceContext, mailer: Mailer | null, audit: AuditService) {
  return {
    /** The backend's name, or null when none is configured. */
    backend: mailer?.name ?? null,

    /** Throws the configuration error of a flow that needs mail when there is no backend. */
    require(): void {
      if (!mailer) {
        throw new ConfigError('EMAIL_BACKEND', NO_BACKEND);
      }
    },

    /**
     * Sends `mail`; a failure is logged and recorded, never thrown. Without a
     * backend (a flow that forgot `require()`), the mail is not sent, and that
     * too is logged and recorded: never dropped silently.
     */
    async send(mail: Mail, userId: number | null = null): Promise<void> {
      let reason: string;
      try {
        if (!mailer) throw new ConfigError('EMAIL_BACKEND', NO_BACKEND);
        await mailer.send(mail);
        return;
      } catch (err) {
        reason = describe(err);
      }
      console.error(`edgeauth: mail to user ${userId ?? '-'} not sent: ${reason}`);
      await audit.record({
        type: 'mail_failed',
        userId,
        detail: { backend: mailer?.name ?? null, subject: mail.subject },
      });
    },

    /** The development outbox, newest first. */
    outbox: (limit: number) => ctx.stores.outbox.list(limit),
  };
}

export type MailService = ReturnType<typeof createMailService>;
