/**
 * @module services/emails
 * allauth's email verification and email change (`ACCOUNT_EMAIL_VERIFICATION`
 * = `none`, `optional` or `mandatory`).
 *
 * A confirmation key is 32 random bytes (base64url), stored only as its
 * SHA-256 digest, used once, and valid for
 * `ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS`. A newer key of the same purpose
 * replaces the user's older ones, so only the latest mail works. Keys are
 * found by digest: a 256-bit secret's digest gives nothing to guess from, so
 * the database's comparison needs no constant time.
 *
 * Mail goes out after the response: the functions that send return or take
 * work that callers hand to `defer`. The resend request does all its work
 * there (the lookup too), so its answer and timing say nothing about the
 * address. No Hono here.
 */
import { sha256 } from '../crypto/compare';
import { toHex } from '../crypto/encoding';
import { randomToken } from '../crypto/random';
import {
  changeConfirmationMail,
  changeNoticeMail,
  verificationMail,
} from '../mail/email-confirmation';
import type { EmailConfirmation, User } from '../storage/types';
import { normalizeEmail } from '../validation/username';
import type { AuditService } from './audit';
import type { ServiceContext } from './context';
import type { MailService } from './mail';
import type { ClientDetails } from './sessions';

/** The URL a mail links to for a key (the confirm page, or the project's frontend). */
export type KeyLink = (key: string) => string;

/** What mails and events need from the request that caused them. */
export interface MailContext {
  link: KeyLink;
  client: ClientDetails;
}

/** Work to run after the response (`defer`). */
export type AfterResponse = () => Promise<void>;

/** What confirming a key did: an event for the audit log. */
export interface Confirmed {
  userId: number;
  event: 'email_verified' | 'email_changed';
}

const DAY_MS = 86_400_000;

/** At most this many accounts share an address for a resend (addresses are not unique). */
const RESEND_ACCOUNTS = 10;

async function keyDigest(key: string): Promise<string> {
  return toHex(await sha256(key));
}

interface Deps {
  ctx: ServiceContext;
  mail: MailService;
  audit: AuditService;
}

/** A new key for `email`; the user's older keys of this purpose die. */
async function issueKey(
  { ctx }: Deps,
  userId: number,
  email: string,
  purpose: EmailConfirmation['purpose'],
): Promise<string> {
  const { emailConfirmations } = ctx.stores;
  const now = ctx.clock.now();
  const key = randomToken(32);
  const days = ctx.config.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS;
  await emailConfirmations.deleteForUser(userId, purpose);
  await emailConfirmations.create({
    digest: await keyDigest(key),
    userId,
    email,
    purpose,
    createdAt: now,
    expiresAt: now + days * DAY_MS,
  });
  return key;
}

/** A key for the account's own address, and the mail that carries it. After the response. */
async function sendVerification(deps: Deps, user: User, out: MailContext): Promise<void> {
  const { config } = deps.ctx;
  const key = await issueKey(deps, user.id, user.email, 'verify');
  const days = config.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS;
  await deps.mail.send(verificationMail(config.SITE_NAME, user, out.link(key), days), user.id);
  await deps.audit.record({ type: 'email_verification_sent', userId: user.id, ...out.client });
}

/** resend-email: every active, unverified account with this address gets a new key. */
async function resend(deps: Deps, email: string, out: MailContext): Promise<void> {
  const { users } = deps.ctx.stores;
  const accounts = await users.findByEmail(normalizeEmail(email), RESEND_ACCOUNTS);
  for (const user of accounts) {
    if (user.isActive && !user.emailVerified) await sendVerification(deps, user, out);
  }
}

/**
 * A change to confirm (verification on): the key is written now, so a
 * storage failure is the request's 503; the mails go after the response,
 * the link to the new address and a notice, without it, to the old one.
 */
async function requestChange(
  deps: Deps,
  user: User,
  newEmail: string,
  out: MailContext,
): Promise<AfterResponse> {
  const { config } = deps.ctx;
  const key = await issueKey(deps, user.id, newEmail, 'change');
  const days = config.ACCOUNT_EMAIL_CONFIRMATION_EXPIRE_DAYS;
  const site = config.SITE_NAME;
  return async () => {
    await deps.mail.send(
      changeConfirmationMail(site, user, newEmail, out.link(key), days),
      user.id,
    );
    if (user.email !== '')
      await deps.mail.send(changeNoticeMail(site, user, newEmail, true), user.id);
    await deps.audit.record({ type: 'email_change_requested', userId: user.id, ...out.client });
  };
}

/**
 * A change made at once (`none`), once it is saved: the old address hears of
 * it after the response. (Pending resets died before the save:
 * {@link voidResets}.)
 */
function changedNow(deps: Deps, before: User, after: User, out: MailContext): AfterResponse {
  const site = deps.ctx.config.SITE_NAME;
  return async () => {
    if (before.email !== '') {
      await deps.mail.send(changeNoticeMail(site, before, after.email, false), before.id);
    }
    await deps.audit.record({ type: 'email_changed', userId: before.id, ...out.client });
  };
}

/** Uses a key; null when it is unknown, expired, used, or its address is no longer the account's. */
async function confirm({ ctx }: Deps, key: string): Promise<Confirmed | null> {
  const { emailConfirmations, users, passwordResets } = ctx.stores;
  const found = await emailConfirmations.consume(await keyDigest(key), ctx.clock.now());
  if (!found) return null;
  const { userId } = found;
  if (found.purpose === 'verify') {
    const verified = await users.setEmailVerified(userId, found.email);
    return verified ? { userId, event: 'email_verified' } : null;
  }
  // A reset mailed to the old address must not outlive the change: voided
  // first, so that a failure leaves the address unchanged, never the reset alive.
  await passwordResets.deleteForUser(userId);
  if (!(await users.changeEmail(userId, found.email))) return null;
  return { userId, event: 'email_changed' };
}

export function createEmailService(ctx: ServiceContext, mail: MailService, audit: AuditService) {
  const deps: Deps = { ctx, mail, audit };
  const verifying = ctx.config.ACCOUNT_EMAIL_VERIFICATION !== 'none';
  return {
    /** `optional` or `mandatory`: registration sends a key, and a change waits for its confirmation. */
    verifying,

    /** Throws the mail configuration error when this flow must send mail and has no backend. */
    requireMail: (needed: boolean) => (needed ? mail.require() : undefined),

    /** After registration: the verification mail, when verification is on and there is an address. */
    afterRegistration(user: User, out: MailContext): AfterResponse | undefined {
      if (!verifying || user.email === '') return undefined;
      return () => sendVerification(deps, user, out);
    },

    /** resend-email's work, all of it for after the response. */
    resend:
      (email: string, out: MailContext): AfterResponse =>
      () =>
        resend(deps, email, out),

    requestChange: (user: User, newEmail: string, out: MailContext) =>
      requestChange(deps, user, newEmail, out),

    /**
     * Before an address changes: the user's pending password resets die,
     * since their mails went to the old address.
     */
    voidResets: (user: User) => ctx.stores.passwordResets.deleteForUser(user.id),

    changedNow: (before: User, after: User, out: MailContext) =>
      changedNow(deps, before, after, out),

    confirm: (key: string) => confirm(deps, key),
  };
}

export type EmailService = ReturnType<typeof createEmailService>;
