/**
 * @module services/users
 * Accounts: registration, checking a username and password, profile changes.
 * No Hono here: routes and authentication classes call these.
 */
import type { AuthConfig } from '../config';
import type { PasswordHasher } from '../crypto/password';
import { ValidationError } from '../errors';
import { UsernameTakenError, type User, type UserStore } from '../storage/types';
import { checkNewPassword } from '../validation/new-password';
import {
  EMAIL_INVALID,
  USERNAME_TAKEN,
  cleanUsername as checkUsername,
  isValidEmail,
  normalizeEmail,
} from '../validation/username';

export interface UserServiceDeps {
  config: AuthConfig;
  users: UserStore;
  hasher: PasswordHasher;
}

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
export async function registerUser(deps: UserServiceDeps, input: Registration): Promise<User> {
  const errors: Record<string, string[]> = {};
  const username = cleanUsername(input.username, errors);
  const email = cleanEmail(input.email, errors);
  const problems = await checkNewPassword(input.password, { username, email }, deps.config);
  if (problems.length > 0) errors.password = problems;
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  const passwordHash = await deps.hasher.hash(input.password);
  try {
    return await deps.users.create({ username, email, passwordHash }, Date.now());
  } catch (err) {
    if (err instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw err;
  }
}

/**
 * Django's `authenticate(username, password)`: the active user whose password
 * matches, or null. Unknown users cost one hash too, and inactive users are
 * refused only after the hash, so neither timing nor answer tells them apart
 * from a wrong password. A hash made with older parameters is replaced.
 */
export async function checkCredentials(
  deps: UserServiceDeps,
  username: string,
  password: string,
): Promise<User | null> {
  // Routes with a body answer the field error first; this guards Basic and any other caller.
  if ([...password].length > deps.config.PASSWORD_MAX_LENGTH) return null;
  const user = await deps.users.findByUsername(username);
  if (!user) {
    await deps.hasher.burn(password);
    return null;
  }
  const { valid, needsRehash } = await deps.hasher.verify(password, user.passwordHash);
  if (!valid || !user.isActive) return null;
  if (needsRehash) {
    await deps.users.replacePasswordHash(user.id, await deps.hasher.hash(password));
  }
  return user;
}

/**
 * Changes username and/or email (a PATCH on `/api/me/`). Throws
 * `ValidationError` for an invalid or taken username or an invalid email.
 */
export async function updateProfile(
  deps: UserServiceDeps,
  user: User,
  changes: { username?: string; email?: string },
): Promise<User> {
  const errors: Record<string, string[]> = {};
  const next: { username?: string; email?: string } = {};
  if (changes.username !== undefined) next.username = cleanUsername(changes.username, errors);
  if (changes.email !== undefined) next.email = cleanEmail(changes.email, errors);
  if (Object.keys(errors).length > 0) throw new ValidationError(errors);
  try {
    const updated = await deps.users.updateProfile(user.id, next);
    if (!updated) throw new ValidationError({ non_field_errors: ['User not found.'] });
    return updated;
  } catch (err) {
    if (err instanceof UsernameTakenError)
      throw new ValidationError({ username: [USERNAME_TAKEN] });
    throw err;
  }
}
