/**
 * @module mail/templates
 * Every mail the account flows send has a plain-text and an HTML part, names
 * the site (`SITE_NAME`), and says what happened and what to do. The HTML is
 * plain markup with every value escaped; links are given whole in the text
 * part too, for clients that show no HTML.
 *
 * @example
 * const mail = composeMail({
 *   to: user.email, site: config.SITE_NAME, subject: 'Reset your password',
 *   paragraphs: ['Someone asked to reset the password of your account.'],
 *   action: { label: 'Choose a new password', url: link },
 *   footer: 'If it was not you, ignore this mail: nothing changes.',
 * });
 */
import { escapeHtml } from '../html/escape';
import type { Mail } from './types';

export interface MailContent {
  to: string;
  /** `SITE_NAME`: prefixes the subject and signs the mail. */
  site: string;
  subject: string;
  paragraphs: readonly string[];
  /** The one thing to click, if any. */
  action?: { label: string; url: string };
  /** A last line: what to do if this was not the reader. */
  footer?: string;
}

export function composeMail(content: MailContent): Mail {
  const { site, paragraphs, action, footer } = content;
  const subject = `[${site}] ${content.subject}`;
  const text = [
    ...paragraphs,
    ...(action ? [`${action.label}: ${action.url}`] : []),
    ...(footer ? [footer] : []),
    `— ${site}`,
  ].join('\n\n');
  const html = [
    '<!doctype html><html><body>',
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    ...(action
      ? [`<p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`]
      : []),
    ...(footer ? [`<p>${escapeHtml(footer)}</p>`] : []),
    `<p>— ${escapeHtml(site)}</p>`,
    '</body></html>',
  ].join('\n');
  return { to: content.to, subject, text, html };
}
