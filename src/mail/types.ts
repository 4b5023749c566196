/**
 * @module mail/types
 * What the account flows send, and the one interface every mail backend
 * implements. A backend throws {@link MailDeliveryError} when the mail did
 * not go out; the caller records it as a security event and never tells the
 * requester (the answer was sent before the mail, after the response).
 */

export interface Mail {
  to: string;
  subject: string;
  /** The plain-text part. */
  text: string;
  /** The HTML part. */
  html: string;
}

export interface Mailer {
  /** The backend, for logs and events (`outbox`, `http`, ...). */
  readonly name: string;
  send(mail: Mail): Promise<void>;
}

export class MailDeliveryError extends Error {
  constructor(
    readonly backend: string,
    /** What went wrong, without the mail's content (it carries links with secrets). */
    reason: string,
    cause?: unknown,
  ) {
    super(`${backend}: ${reason}`, { cause });
    this.name = 'MailDeliveryError';
  }
}
