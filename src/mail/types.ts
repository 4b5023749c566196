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
  /** The backend, for logs and events (`outbox`, `postmark`, `cloudflare`). */
  readonly name: string;
  send(mail: Mail): Promise<void>;
}

/** An email address anywhere in a text, for {@link withoutAddresses}. */
const ADDRESS = /[^\s<>()[\]"',;:]+@[^\s<>()[\]"',;:]+/g;

/**
 * `text` with every email address replaced by `<address>`: a provider's
 * refusal often quotes the recipient, and the log needs the reason, not the
 * person (the event names the user by id).
 */
export function withoutAddresses(text: string): string {
  return text.replace(ADDRESS, '<address>');
}

export class MailDeliveryError extends Error {
  /** The HTTP status the mail API answered, when it answered. */
  readonly status?: number;

  constructor(
    readonly backend: string,
    /**
     * What went wrong, without the mail's content (it carries links with
     * secrets) and without the API key; addresses in it are removed.
     */
    reason: string,
    options: { status?: number; cause?: unknown } = {},
  ) {
    super(`${backend}: ${withoutAddresses(reason)}`, { cause: options.cause });
    this.name = 'MailDeliveryError';
    if (options.status !== undefined) this.status = options.status;
  }
}
