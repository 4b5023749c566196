/**
 * @module validation/new-password
 * Every check a new password goes through, wherever a password is set
 * (registration, `createsuperuser`): the configured validators, offline,
 * then, only for a password they accept, the optional Pwned Passwords check
 * (a network round trip, and a hash prefix sent out, that a refused password
 * never costs).
 */
import type { AuthConfig } from '../config';
import { validatePassword, type PasswordUserAttributes } from './passwords';
import { checkPwnedPassword, type Fetch } from './pwned';

/**
 * The messages to answer under `password`, or an empty list. Throws a 503
 * `AuthError` when the Pwned Passwords check must fail closed.
 *
 * @example
 * await checkNewPassword('edgeauth2026', { username: 'alice' }, config);
 * // ['The password is too similar to "edgeauth", a word tied to this site.']
 */
export async function checkNewPassword(
  password: string,
  user: PasswordUserAttributes,
  config: AuthConfig,
  fetcher?: Fetch,
): Promise<string[]> {
  const problems = validatePassword(password, user, config);
  if (problems.length > 0) return problems;
  return checkPwnedPassword(password, config, fetcher);
}
