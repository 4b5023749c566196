/**
 * @module services/users
 * Accounts: registration, reading an account, profile changes,
 * deletion. Checking a password is the login pipeline's
 * (`services/login.ts`). No Hono here.
 */
import { ValidationError } from '../errors';
import { UsernameTakenError, type User } from '../storage/types';
import type { ServiceContext } from './context';
import { removeAccount } from './account-deletion';
import { checkNewPassword } from '../validation/new-password';
import {
  EMAIL_INVALID,
  USERNAME_TAKEN,
  cleanUsername as checkUsername,
  isValidEmail,
  normalizeEmail,
} from '../validation/username';

export type { User } from '../storage/types';

/** The user as the API shows it (`{"id", "username", "email"}`, dj-rest-auth's `user/`). */
export function publicUser(user: User): { id: number; username: string; email: string } {
  return { id: user.id, username: user.username, email: user.email };
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
async function register(ctx: ServiceContext, input: Registration): Promise<User> {
  const errors: Record<string, string[]> = {};
  const username = cleanUsername(input.username, errors);
  const email = cleanEmail(input.email, errors);
  const problems = await checkNewPassword(input.password, { username, email }, ctx.config);
  if (problems.length > 0) errors.password = problems;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await ctx.hasher.hash(input.password);
  try {
    return await ctx.stores.users.create({ username, email, passwordHash }, ctx.clock.now());
  } catch (err) {
    if (err instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw err;
  }
}

/**
 * Changes username and/or email (a PATCH on `/api/me/`). Throws
 * `ValidationError` for an invalid or taken username or an invalid email.
 */
async function updateProfile(
  ctx: ServiceContext,
  user: User,
  changes: { username?: string; email?: string },
): Promise<User> {
  const errors: Record<string, string[]> = {};
  const next: { username?: string; email?: string } = {};
  if (changes.username !== undefined) next.username = cleanUsername(changes.username, errors);
  if (changes.email !== undefined) next.email = cleanEmail(changes.email, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
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

export function createUserService(ctx: ServiceContext) {
  return {
    register: (input: Registration) => register(ctx, input),

    /** The account, or null when it does not exist. */
    find: (id: number) => ctx.stores.users.findById(id),

    updateProfile: (user: User, changes: { username?: string; email?: string }) =>
      updateProfile(ctx, user, changes),

    /** Revokes every credential of the account, then deletes it; false when it did not exist. */
    deleteAccount: (userId: number) => removeAccount(ctx, userId),
  };
}

export type UserService = ReturnType<typeof createUserService>;
