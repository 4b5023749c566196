/**
 * @module services/users
 * Accounts: registration, reading an account, profile changes (an email
 * change goes through `services/emails.ts`), deletion. Checking a password
 * is the login pipeline's
 * (`services/login.ts`). No Hono here.
 */
import { ValidationError } from '../errors';
import { UsernameTakenError, type User } from '../storage/types';
import type { ServiceContext } from './context';
import { removeAccount } from './account-deletion';
import type { AfterResponse, EmailService, MailContext } from './emails';
import { checkNewPassword } from '../validation/new-password';
import {
  EMAIL_INVALID,
  USERNAME_TAKEN,
  cleanUsername as checkUsername,
  isValidEmail,
  normalizeEmail,
} from '../validation/username';

export type { User } from '../storage/types';

/** The user as the API shows it (dj-rest-auth's `user/`, with allauth's `email_verified`). */
export function publicUser(user: User): {
  id: number;
  username: string;
  email: string;
  email_verified: boolean;
} {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    email_verified: user.emailVerified,
  };
}

/**
 * Returns the username NFKC-normalised; its length (after normalisation) and
 * character errors go in `errors`.
 */
function cleanUsername(raw: string, errors: Record<string, string[]>): string {
  const { username, errors: problems } = checkUsername(raw);
  if (problems.length > 0) errors.username = problems;
  return username;
}

function cleanEmail(raw: string, errors: Record<string, string[]>): string {
  if (raw !== '' && !isValidEmail(raw)) errors.email = [EMAIL_INVALID];
  return raw === '' ? '' : normalizeEmail(raw);
}

export interface Registration {
  username: string;
  email: string;
  password: string;
}

/**
 * Creates an active, unprivileged account after Django's username, email and
 * password validation (and the Pwned Passwords check when it is on). Throws
 * `ValidationError` with field errors.
 */
async function register(
  ctx: ServiceContext,
  emails: EmailService,
  input: Registration,
): Promise<User> {
  const errors: Record<string, string[]> = {};
  const username = cleanUsername(input.username, errors);
  const email = cleanEmail(input.email, errors);
  // allauth: mandatory verification needs an address to verify.
  const mandatory = ctx.config.ACCOUNT_EMAIL_VERIFICATION === 'mandatory';
  if (mandatory && email === '' && !errors.email) errors.email = ['This field is required.'];
  const problems = await checkNewPassword(input.password, { username, email }, ctx.config);
  if (problems.length > 0) errors.password = problems;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  // Before the account exists: a flow that cannot send its mail must not start.
  emails.requireMail(emails.verifying && email !== '');
  const passwordHash = await ctx.hasher.hash(input.password);
  try {
    return await ctx.stores.users.create({ username, email, passwordHash }, ctx.clock.now());
  } catch (err) {
    if (err instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw err;
  }
}

/** What a profile change did, and the mail it sends after the response. */
export interface ProfileUpdate {
  user: User;
  after?: AfterResponse;
}

/**
 * The validated changes, and the new address when it is another one (with
 * verification on, a blank address cannot be confirmed, so it is refused).
 */
function cleanChanges(emails: EmailService, user: User, changes: ProfileChanges) {
  const errors: Record<string, string[]> = {};
  const next: { username?: string; email?: string } = {};
  if (changes.username !== undefined) next.username = cleanUsername(changes.username, errors);
  const email = changes.email === undefined ? undefined : cleanEmail(changes.email, errors);
  const newEmail = email !== undefined && email !== user.email ? email : undefined;
  if (emails.verifying && newEmail === '') errors.email = ['This field may not be blank.'];
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  return { next, newEmail };
}

/**
 * Changes username and/or email (a PATCH on `/api/me/`). Throws
 * `ValidationError` for an invalid or taken username or an invalid email.
 * A new email waits for its confirmation when verification is on (the user
 * keeps the old address until then); with `none` it applies at once, as
 * unverified. Either way the old address is told.
 */
async function updateProfile(
  ctx: ServiceContext,
  emails: EmailService,
  user: User,
  changes: ProfileChanges,
  out: MailContext,
): Promise<ProfileUpdate> {
  const { next, newEmail } = cleanChanges(emails, user, changes);
  if (newEmail !== undefined) {
    emails.requireMail(emails.verifying || user.email !== '');
    if (!emails.verifying) {
      await emails.voidResets(user);
      next.email = newEmail;
    }
  }
  const updated = await saveProfile(ctx, user, next);
  if (newEmail === undefined) return { user: updated };
  const after = emails.verifying
    ? await emails.requestChange(updated, newEmail, out)
    : emails.changedNow(user, updated, out);
  return { user: updated, after };
}

async function saveProfile(
  ctx: ServiceContext,
  user: User,
  next: { username?: string; email?: string },
): Promise<User> {
  try {
    const updated = await ctx.stores.users.updateProfile(user.id, next);
    if (!updated) throw new ValidationError({ non_field_errors: ['User not found.'] });
    return updated;
  } catch (err) {
    if (err instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw err;
  }
}

export interface ProfileChanges {
  username?: string;
  email?: string;
}

export function createUserService(ctx: ServiceContext, emails: EmailService) {
  return {
    register: (input: Registration) => register(ctx, emails, input),

    /** The account, or null when it does not exist. */
    find: (id: number) => ctx.stores.users.findById(id),

    updateProfile: (user: User, changes: ProfileChanges, out: MailContext) =>
      updateProfile(ctx, emails, user, changes, out),

    /** Revokes every credential of the account, then deletes it; false when it did not exist. */
    deleteAccount: (userId: number) => removeAccount(ctx, userId),
  };
}

export type UserService = ReturnType<typeof createUserService>;
