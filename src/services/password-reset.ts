/**
 * @module services/password-reset
 * dj-rest-auth's password reset: a mail with a single-use link, then a new
 * password set through it. No Hono here.
 *
 * - **Request** (`request`): runs after the response (the route `defer`s it
 *   whole), so the answer and its timing never depend on the account. Every
 *   active account with that address and a usable password (as Django's
 *   `PasswordResetForm.get_users`, at most {@link MAX_ACCOUNTS_PER_ADDRESS})
 *   gets its own link `<base><uid>/<token>/`: `uid` is Django's
 *   `urlsafe_base64_encode(force_bytes(pk))`, `token` 32 random bytes. D1
 *   keeps only the token's SHA-256 digest, and a newer reset deletes the
 *   older one.
 * - **Voiding.** A token also stores a fingerprint of the account (password
 *   hash, email, last login, revoked-before moment, active flag), checked at
 *   every use, as Django's token covers the hash and `last_login`: any
 *   password or email change, "log out everywhere" or deactivation voids it.
 *   Every login deletes it (the login pipeline), whatever the channel, since
 *   not every channel records `last_login`.
 * - **Confirm** (`confirm`): the token is found by digest and checked before
 *   anything else is read, so a bad token says nothing about the `uid`; the
 *   new password is validated before the token is spent, then the token is
 *   consumed in one conditional statement (one winner among any number of
 *   concurrent confirms), the hash replaced only if unchanged since, and
 *   every credential revoked.
 */
import { sha256, timingSafeEqual } from '../crypto/compare';
import { decodeUtf8, fromCanonicalBase64Url, toBase64Url, toHex, utf8 } from '../crypto/encoding';
import { randomToken } from '../crypto/random';
import { ValidationError } from '../errors';
import { composeMail } from '../mail/templates';
import type { PasswordReset, User } from '../storage/types';
import { casefold } from '../validation/casefold';
import { maxLengthMessage } from '../validation/fields';
import { checkNewPassword } from '../validation/new-password';
import type { AuditService } from './audit';
import type { ServiceContext } from './context';
import type { MailService } from './mail';
import type { RevocationService } from './revocation';
import type { ClientDetails } from './sessions';

/** dj-rest-auth's error for a `uid` or `token` it cannot use. */
export const INVALID_VALUE = 'Invalid value';
/** Django's `SetPasswordForm` mismatch message (with U+2019). */
export const PASSWORD_MISMATCH = 'The two password fields didn’t match.';
/**
 * The most accounts one address gets links for: registration does not make
 * addresses unique, and one request must not become a flood of mail.
 */
export const MAX_ACCOUNTS_PER_ADDRESS = 10;

/** A token as the links carry it: 32 random bytes, base64url. */
const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

/** Django's `urlsafe_base64_encode(force_bytes(pk))`: base64url of the decimal id, unpadded. */
export function encodeUid(id: number): string {
  return toBase64Url(utf8(String(id)));
}

/** The user id a `uid` encodes, only in its canonical spelling; null otherwise. */
export function decodeUid(uid: string): number | null {
  const bytes = fromCanonicalBase64Url(uid);
  if (!bytes || bytes.length === 0 || bytes.length > 15) return null;
  let text: string;
  try {
    text = decodeUtf8(bytes);
  } catch {
    return null;
  }
  return /^[1-9][0-9]*$/.test(text) ? Number(text) : null;
}

async function digestOf(token: string): Promise<string> {
  return toHex(await sha256(token));
}

/** What must not change for a reset token to stay good. */
async function fingerprint(user: User): Promise<string> {
  const state = [
    user.passwordHash,
    user.email,
    user.lastLogin,
    user.credentialsChangedAt,
    user.isActive,
  ];
  return toHex(await sha256(JSON.stringify(state)));
}

/** Django's `has_usable_password`: an unusable password starts with `!`. */
function hasUsablePassword(user: User): boolean {
  return !user.passwordHash.startsWith('!');
}

/** Django's `_unicode_ci_compare`: NFKC, then full case folding. */
function sameAddress(a: string, b: string): boolean {
  const fold = (text: string) => casefold(text.normalize('NFKC'));
  return fold(a) === fold(b);
}

/** "1 hour", "30 minutes", "3 days": the link's lifetime, for the mail. */
export function describeDuration(seconds: number): string {
  const units: [number, string][] = [
    [86_400, 'day'],
    [3600, 'hour'],
    [60, 'minute'],
  ];
  for (const [size, unit] of units) {
    if (seconds % size === 0) {
      const n = seconds / size;
      return `${n} ${unit}${n === 1 ? '' : 's'}`;
    }
  }
  return `${seconds} seconds`;
}

export interface ResetRequest {
  /** The link's base, absolute, ending in `/`: `<uid>/<token>/` is appended. */
  linkBase: string;
  client: ClientDetails;
}

export interface ResetConfirmation {
  uid: string;
  token: string;
  newPassword1: string;
  newPassword2: string;
}

type Found = { user: User; reset: PasswordReset; digest: string };

function invalid(field: 'uid' | 'token'): ValidationError {
  return new ValidationError({ [field]: [INVALID_VALUE] });
}

/** Django's `PasswordResetEmail`, in edgeauth's words. */
function resetMail(ctx: ServiceContext, user: User, link: string) {
  const { SITE_NAME, PASSWORD_RESET_TIMEOUT } = ctx.config;
  return composeMail({
    to: user.email,
    site: SITE_NAME,
    subject: 'Password reset',
    paragraphs: [
      `You asked to reset the password of your account on ${SITE_NAME}.`,
      `Your username, in case you have forgotten it: ${user.username}`,
    ],
    action: { label: 'Choose a new password', url: link },
    footer:
      `The link works once, for ${describeDuration(PASSWORD_RESET_TIMEOUT)}. ` +
      'If you did not ask for it, ignore this mail: your password stays as it is.',
  });
}

/** The account and its reset when `uid` and `token` are good now; else the field that is not. */
async function find(
  ctx: ServiceContext,
  uid: string,
  token: string,
  now: number,
): Promise<Found | 'uid' | 'token'> {
  const userId = decodeUid(uid);
  if (userId === null) return 'uid';
  if (!TOKEN_SHAPE.test(token)) return 'token';
  // The token first: until it is good, nothing about the uid is read or told.
  const digest = await digestOf(token);
  const reset = await ctx.stores.passwordResets.find(digest, now);
  if (!reset || reset.userId !== userId) return 'token';
  const user = await ctx.stores.users.findById(userId);
  if (!user || !user.isActive) return 'token';
  if (!timingSafeEqual(reset.fingerprint, await fingerprint(user))) return 'token';
  return { user, reset, digest };
}

/** Throws the errors of `fields` (name → message) that apply, if any. */
function refuse(errors: [field: string, message: string | false][]): void {
  const fields: Record<string, string[]> = {};
  for (const [field, message] of errors) if (message) fields[field] = [message];
  if (Object.keys(fields).length > 0) throw new ValidationError(fields);
}

/**
 * The length of both passwords. The API's body schema refuses an over-long
 * one first, as DRF's field validation does; this covers the HTML form.
 */
function checkLengths(ctx: ServiceContext, input: ResetConfirmation): void {
  const max = ctx.config.PASSWORD_MAX_LENGTH;
  const tooLong = (value: string) => [...value].length > max && maxLengthMessage(max);
  refuse([
    ['new_password1', tooLong(input.newPassword1)],
    ['new_password2', tooLong(input.newPassword2)],
  ]);
}

/** Django's `SetPasswordForm` for `user`: both given, equal, then the validators, on `new_password2`. */
async function checkPasswords(ctx: ServiceContext, input: ResetConfirmation, user: User) {
  // Blank is DRF's field error on the API; an HTML form can still send it.
  const required = (value: string) => value === '' && 'This field is required.';
  refuse([
    ['new_password1', required(input.newPassword1)],
    ['new_password2', required(input.newPassword2)],
  ]);
  refuse([['new_password2', input.newPassword1 !== input.newPassword2 && PASSWORD_MISMATCH]]);
  const attributes = { username: user.username, email: user.email };
  const problems = await checkNewPassword(input.newPassword2, attributes, ctx.config);
  if (problems.length > 0) throw new ValidationError({ new_password2: problems });
}

export function createPasswordResetService(
  ctx: ServiceContext,
  mail: MailService,
  audit: AuditService,
  revocation: RevocationService,
) {
  const { config, stores } = ctx;

  async function sendLink(user: User, request: ResetRequest, now: number): Promise<void> {
    const token = randomToken(32);
    await stores.passwordResets.replace({
      digest: await digestOf(token),
      userId: user.id,
      createdAt: now,
      expiresAt: now + config.PASSWORD_RESET_TIMEOUT * 1000,
      fingerprint: await fingerprint(user),
    });
    const link = `${request.linkBase}${encodeUid(user.id)}/${token}/`;
    await mail.send(resetMail(ctx, user, link), user.id);
    const { ip, userAgent } = request.client;
    await audit.record({ type: 'password_reset_requested', userId: user.id, ip, userAgent });
  }

  return {
    /**
     * Sends a reset link to every eligible account with this address. Run it
     * after the response (`defer`): its work and its failures are not the
     * requester's to see.
     */
    async request(email: string, request: ResetRequest): Promise<void> {
      const now = ctx.clock.now();
      const found = await stores.users.findActiveByEmail(email, MAX_ACCOUNTS_PER_ADDRESS);
      const eligible = found.filter(
        (user) => hasUsablePassword(user) && sameAddress(user.email, email),
      );
      for (const user of eligible) await sendLink(user, request, now);
    },

    /** Whether the link still works (the confirm page's GET); changes nothing. */
    async check(uid: string, token: string): Promise<boolean> {
      return typeof (await find(ctx, uid, token, ctx.clock.now())) === 'object';
    },

    /**
     * Sets the new password through a reset link and revokes every
     * credential the account holds; resolves the account. Throws
     * `ValidationError` with dj-rest-auth's and Django's field errors.
     */
    async confirm(input: ResetConfirmation): Promise<User> {
      const now = ctx.clock.now();
      // The link first: a form is shown again (its uid and token in it) only for a good one.
      const found = await find(ctx, input.uid, input.token, now);
      if (typeof found === 'string') throw invalid(found);
      const { user, digest } = found;
      // A refused password must not spend the token: validate, hash, then consume.
      checkLengths(ctx, input);
      await checkPasswords(ctx, input, user);
      const passwordHash = await ctx.hasher.hash(input.newPassword1);
      const consumed = await stores.passwordResets.consume(digest, now);
      if (!consumed || consumed.userId !== user.id) throw invalid('token');
      if (!(await stores.users.setPasswordIfUnchanged(user.id, user.passwordHash, passwordHash))) {
        throw invalid('token');
      }
      await revocation.revokeAllCredentials(user.id, 'password_reset');
      return user;
    },
  };
}

export type PasswordResetService = ReturnType<typeof createPasswordResetService>;
