/**
 * Helpers for the email verification and email change tests: apps in
 * development mode (mail goes to the outbox, `GET /api/dev/outbox/`), the
 * mails an address received, the key a mail's link carries, and accounts
 * whose address was confirmed through the real flow.
 */
import { expect } from 'vitest';
import { sha256 } from '../../src/crypto/compare';
import { toHex } from '../../src/crypto/encoding';
import type { MakeAppOptions } from './index';
import { call, makeApp, makeUser, postJson, type App, type TestUser } from './index';

export interface OutboxEntry {
  to: string;
  subject: string;
  text: string;
  html: string;
  sent_at: string;
}

/** An app whose mail goes to the development outbox. */
export function devApp(settings: Record<string, unknown> = {}, options: MakeAppOptions = {}): App {
  return makeApp({ ...options, settings: { ENVIRONMENT: 'development', ...settings } });
}

/** The mails the outbox holds for `to`, newest first. */
export async function mailsTo(app: App, to: string): Promise<OutboxEntry[]> {
  const res = await call(app, '/api/dev/outbox/');
  expect(res.status).toBe(200);
  const all = (await res.json()) as OutboxEntry[];
  return all.filter((mail) => mail.to === to);
}

/** The key in the link of a mail (the default link: the confirm page's `?key=`). */
export function keyIn(mail: OutboxEntry): string {
  const match = /[?&]key=([A-Za-z0-9_-]+)/.exec(mail.text);
  if (!match) throw new Error(`no key in mail "${mail.subject}"`);
  return match[1]!;
}

/** The key of the newest mail to `to`. */
export async function latestKey(app: App, to: string): Promise<string> {
  const [mail] = await mailsTo(app, to);
  if (!mail) throw new Error(`no mail to ${to}`);
  return keyIn(mail);
}

export function verifyEmail(app: App, key: unknown): Promise<Response> {
  return postJson(app, '/api/auth/registration/verify-email/', { key });
}

export function resendEmail(app: App, email: unknown): Promise<Response> {
  return postJson(app, '/api/auth/registration/resend-email/', { email });
}

/** How D1 stores a key: its SHA-256, in hex. */
export async function digestOf(key: string): Promise<string> {
  return toHex(await sha256(key));
}

/**
 * An account registered on `app` (which must send verification mail) whose
 * address is confirmed through the mail's key.
 */
export async function verifiedUser(app: App): Promise<TestUser> {
  const user = await makeUser(app);
  const res = await verifyEmail(app, await latestKey(app, user.email));
  expect(res.status).toBe(200);
  return user;
}

/** dj-rest-auth's answer for a key that confirms nothing. */
export const NOT_FOUND = { detail: 'Not found.', code: 'not_found' };

export const OK = { detail: 'ok' };
