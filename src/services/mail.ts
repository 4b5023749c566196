/**
 * @module services/mail
 * Sending the account flows' mail: through the configured backend, after the
 * response (callers `defer` it), never reported to the requester. A failed
 * send is logged and recorded as a `mail_failed` security event. With no
 * backend (production without one configured) the flows that need mail
 * refuse to start: a configuration error, never mail silently dropped.
 */
import { ConfigError } from '../config/parse';
import { describe } from '../errors';
import type { Mail, Mailer } from '../mail/types';
import type { OutboxStore } from '../storage/types';
import type { AuditService } from './audit';
import type { ServiceContext } from './context';

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

export function createMailService(ctx: ServiceContext, mailer: Mailer | null, audit: AuditService) {
  return {
    /** The backend's name, or null when none is configured. */
    backend: mailer?.name ?? null,

    /** Throws the configuration error of a flow that needs mail when there is no backend. */
    require(): void {
      if (!mailer) {
        throw new ConfigError(
          'EMAIL_BACKEND',
          'no mail backend is configured, so the flows that send mail cannot run',
        );
      }
    },

    /** Sends `mail`; a failure is logged and recorded, never thrown. */
    async send(mail: Mail, userId: number | null = null): Promise<void> {
      if (!mailer) return;
      try {
        await mailer.send(mail);
      } catch (err) {
        console.error(`edgeauth: mail to user ${userId ?? '-'} not sent: ${describe(err)}`);
        await audit.record({
          type: 'mail_failed',
          userId,
          detail: { backend: mailer.name, subject: mail.subject },
        });
      }
    },

    /** The development outbox, newest first. */
    outbox: (limit: number) => ctx.stores.outbox.list(limit),
  };
}

export type MailService = ReturnType<typeof createMailService>;
