/**
 * @module mail/email-confirmation
 * The mails of email verification and email change: the verification of an
 * account's address, the confirmation of a new address, and the notice to the
 * old address, which never carries the confirmation link (whoever reads the
 * old mailbox must not be able to complete someone else's change).
 */
import type { Mail } from './types';
import { composeMail } from './templates';

interface Account {
  username: string;
  email: string;
}

function expiry(days: number): string {
  return `The link works once, for ${days} day${days === 1 ? '' : 's'}.`;
}

/** To the account's own address: confirm it (registration, resend). */
export function verificationMail(site: string, user: Account, link: string, days: number): Mail {
  return composeMail({
    to: user.email,
    site,
    subject: 'Confirm your email address',
    paragraphs: [
      `Confirm that ${user.email} is the email address of the account "${user.username}" on ${site}.`,
      expiry(days),
    ],
    action: { label: 'Confirm the address', url: link },
    footer: 'If you did not create this account, ignore this mail.',
  });
}

/** To the new address of a change: confirming it applies the change. */
export function changeConfirmationMail(
  site: string,
  user: Account,
  newEmail: string,
  link: string,
  days: number,
): Mail {
  return composeMail({
    to: newEmail,
    site,
    subject: 'Confirm your new email address',
    paragraphs: [
      `Someone asked to change the email address of the account "${user.username}" on ${site} to ${newEmail}.`,
      `The change takes effect when you confirm it. ${expiry(days)}`,
    ],
    action: { label: 'Confirm the new address', url: link },
    footer: 'If it was not you, ignore this mail: the address does not change.',
  });
}

/**
 * To the old address: a change was asked for (`pending`) or made (no
 * verification). Says what, and what to do if it was not the reader.
 */
export function changeNoticeMail(
  site: string,
  user: Account,
  newEmail: string,
  pending: boolean,
): Mail {
  const what = newEmail === '' ? 'removed' : `changed to ${newEmail}`;
  const paragraphs = pending
    ? [
        `Someone asked to change the email address of the account "${user.username}" on ${site} to ${newEmail}.`,
        'The change takes effect only when it is confirmed through a mail sent to the new address.',
      ]
    : [`The email address of the account "${user.username}" on ${site} was ${what}.`];
  return composeMail({
    to: user.email,
    site,
    subject: pending ? 'Your email address is being changed' : 'Your email address was changed',
    paragraphs,
    footer: 'If it was not you, change your password at once and tell the site’s administrators.',
  });
}
