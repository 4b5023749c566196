/**
 * @module mail/postmark
 * The HTTPS mail backend (`EMAIL_BACKEND=postmark`): one `POST` per mail to
 * Postmark's single-email endpoint (`EMAIL_API_URL`), authenticated by the
 * server token (`EMAIL_API_KEY`) in `X-Postmark-Server-Token`, from
 * `DEFAULT_FROM_EMAIL`, with the text and HTML parts, on the transactional
 * stream (`outbound`).
 *
 * Link and open tracking are switched off in every message, whatever the
 * Postmark server's defaults: tracked links would route every reset and
 * confirmation link, secret token included, through Postmark's redirector.
 *
 * A send that fails (no answer within `EMAIL_TIMEOUT`, a network error, any
 * status but 2xx) throws {@link MailDeliveryError} with the status and
 * Postmark's numeric `ErrorCode`; never the token, the mail or Postmark's
 * `Message`, which quotes the recipient.
 *
 * @example
 * const mailer = postmarkMailer({ token, url: POSTMARK_EMAIL_URL, from: 'Site <noreply@example.com>', timeoutMs: 10_000 });
 * await mailer.send({ to: 'ada@example.com', subject, text, html });
 */
import { MailDeliveryError, type Mail, type Mailer } from './types';

export interface PostmarkSettings {
  /** The server API token (`EMAIL_API_KEY`). */
  token: string;
  /** The single-email endpoint (`EMAIL_API_URL`). */
  url: string;
  /** `DEFAULT_FROM_EMAIL`. */
  from: string;
  /** `EMAIL_TIMEOUT`, in milliseconds. */
  timeoutMs: number;
}

/** `fetch`, or a stand-in with its signature. */
export type Fetch = (input: string, init: RequestInit) => Promise<Response>;

/** The JSON body of Postmark's `POST /email`. */
function message(from: string, mail: Mail) {
  return {
    From: from,
    To: mail.to,
    Subject: mail.subject,
    TextBody: mail.text,
    HtmlBody: mail.html,
    MessageStream: 'outbound',
    TrackLinks: 'None',
    TrackOpens: false,
  };
}

/** Why the request got no answer, in a few words (a fetch error names no header). */
function unanswered(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && err.name === 'TimeoutError') {
    return `no answer within ${timeoutMs / 1000}s (EMAIL_TIMEOUT)`;
  }
  return err instanceof Error ? `request failed (${err.name}: ${err.message})` : 'request failed';
}

/** Postmark's numeric `ErrorCode` from a refusal's body, if it has one. */
async function errorCode(res: Response): Promise<number | undefined> {
  try {
    const body = (await res.json()) as { ErrorCode?: unknown };
    return typeof body.ErrorCode === 'number' ? body.ErrorCode : undefined;
  } catch {
    return undefined;
  }
}

export function postmarkMailer(
  settings: PostmarkSettings,
  fetcher: Fetch = (input, init) => fetch(input, init),
): Mailer {
  return {
    name: 'postmark',
    async send(mail) {
      let res: Response;
      try {
        res = await fetcher(settings.url, {
          method: 'POST',
          headers: {
            Accept: 'application/json',
            'Content-Type': 'application/json',
            'X-Postmark-Server-Token': settings.token,
          },
          body: JSON.stringify(message(settings.from, mail)),
          signal: AbortSignal.timeout(settings.timeoutMs),
        });
      } catch (err) {
        throw new MailDeliveryError('postmark', unanswered(err, settings.timeoutMs));
      }
      if (res.ok) {
        await res.body?.cancel();
        return;
      }
      const code = await errorCode(res);
      const reason = `answered ${res.status}${code === undefined ? '' : ` (ErrorCode ${code})`}`;
      throw new MailDeliveryError('postmark', reason, { status: res.status });
    },
  };
}
