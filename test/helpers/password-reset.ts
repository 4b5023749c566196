/**
 * The password-reset flow as a client drives it: an app in development mode
 * (its mail goes to the outbox), the request, the mails in the outbox, the
 * link in a mail, the confirm; and a way to log in through each channel of
 * the login pipeline.
 */
import { expect } from 'vitest';
import { call, makeApp, postJson, type App, type MakeAppOptions, type TestUser } from './index';

/** dj-rest-auth's answers. */
export const RESET_SENT = { detail: 'Password reset e-mail has been sent.' };
export const RESET_DONE = { detail: 'Password has been reset with the new password.' };
export const INVALID_UID = { uid: ['Invalid value'] };
export const INVALID_TOKEN_VALUE = { token: ['Invalid value'] };
/** Django's `SetPasswordForm` mismatch text, with its typographic apostrophe (U+2019). */
export const MISMATCH = { new_password2: ['The two password fields didn\u2019t match.'] };

export const NEW_PASSWORD = 'a brand new passphrase 4 me';

/** An app whose mail goes to the development outbox (`GET /api/dev/outbox/`). */
export function devApp(options: MakeAppOptions = {}): App {
  return makeApp({ ...options, settings: { ENVIRONMENT: 'development', ...options.settings } });
}

export function requestReset(app: App, email: string): Promise<Response> {
  return postJson(app, '/api/auth/password/reset/', { email });
}

export interface OutboxMail {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

/** The outbox's mails to `to`, newest first. */
export async function mailsTo(app: App, to: string): Promise<OutboxMail[]> {
  const res = await call(app, '/api/dev/outbox/');
  expect(res.status).toBe(200);
  return ((await res.json()) as OutboxMail[]).filter((mail) => mail.to === to);
}

export interface ResetLink {
  url: string;
  uid: string;
  token: string;
}

/** The reset link of a mail: `…/<uid>/<token>/`. */
export function linkIn(mail: OutboxMail): ResetLink {
  const match = /(https?:\/\/\S+\/)([A-Za-z0-9_-]+)\/([A-Za-z0-9_-]+)\/(?=\s|$)/.exec(mail.text);
  if (!match) throw new Error(`no reset link in: ${mail.text}`);
  return { url: match[0], uid: match[2]!, token: match[3]! };
}

/** Requests a reset for the user's address and returns the link of the newest mail. */
export async function resetLinkFor(app: App, user: TestUser): Promise<ResetLink> {
  const res = await requestReset(app, user.email);
  expect(res.status).toBe(200);
  const [newest] = await mailsTo(app, user.email);
  if (!newest) throw new Error(`no mail to ${user.email}`);
  return linkIn(newest);
}

export function confirmReset(
  app: App,
  link: { uid: string; token: string },
  password = NEW_PASSWORD,
  again = password,
): Promise<Response> {
  return postJson(app, '/api/auth/password/reset/confirm/', {
    uid: link.uid,
    token: link.token,
    new_password1: password,
    new_password2: again,
  });
}

/** Django's `urlsafe_base64_encode(force_bytes(pk))`. */
export function djangoUid(id: number): string {
  return btoa(String(id)).replace(/=+$/, '').replace(/\+/g, '-').replace(/\//g, '_');
}

export { EVERY_CHANNEL, LOGINS, type Channel } from './channels';
