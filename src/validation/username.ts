/**
 * @module validation/username
 * Usernames and emails as Django's `User` model treats them: usernames are
 * NFKC-normalised, up to 150 characters of letters, digits and `@.+-_`
 * (`UnicodeUsernameValidator`), unique case-insensitively; email domains are
 * lower-cased (`normalize_email`).
 */

export const USERNAME_MAX_LENGTH = 150;
export const EMAIL_MAX_LENGTH = 254;

export const USERNAME_INVALID =
  'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
export const USERNAME_TAKEN = 'A user with that username already exists.';
export const EMAIL_INVALID = 'Enter a valid email address.';

/** Django's `AbstractBaseUser.normalize_username`. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/** The uniqueness and lookup key: NFKC, then lower case. */
export function usernameKey(username: string): string {
  return normalizeUsername(username).toLowerCase();
}

export function isValidUsername(username: string): boolean {
  return /^[\p{L}\p{N}_.@+-]+$/u.test(username);
}

const LOCAL_PART = /^[-!#$%&'*+/=?^_`{}|~0-9a-z]+(\.[-!#$%&'*+/=?^_`{}|~0-9a-z]+)*$/i;
const DOMAIN_LABEL = /^[\p{L}\p{N}](?:[\p{L}\p{N}-]{0,61}[\p{L}\p{N}])?$/u;

/** Django's `EmailValidator` for the common (unquoted, non-literal) forms. */
export function isValidEmail(email: string): boolean {
  if (email.length > EMAIL_MAX_LENGTH) return false;
  const at = email.lastIndexOf('@');
  if (at < 1) return false;
  const local = email.slice(0, at);
  const labels = email.slice(at + 1).split('.');
  if (!LOCAL_PART.test(local) || labels.length < 2) return false;
  const tld = labels[labels.length - 1]!;
  return labels.every((label) => DOMAIN_LABEL.test(label)) && !/^\d+$/.test(tld) && tld.length >= 2;
}

/** Django's `BaseUserManager.normalize_email`: the domain part lower-cased. */
export function normalizeEmail(email: string): string {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : email.slice(0, at) + '@' + email.slice(at + 1).toLowerCase();
}
