/**
 * @module validation/username
 * Usernames and emails as Django's `User` model treats them: usernames are
 * NFKC-normalised, then checked: up to 150 characters (counted after
 * normalisation, as Django's `max_length` is) of letters, digits and `@.+-_`
 * (`UnicodeUsernameValidator`), unique under full Unicode case folding; email
 * domains are lower-cased (`normalize_email`).
 */
import { casefold } from './casefold';

export const USERNAME_MAX_LENGTH = 150;
export const EMAIL_MAX_LENGTH = 254;

export const USERNAME_INVALID =
  'Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.';
export const USERNAME_TAKEN = 'A user with that username already exists.';
export const USERNAME_TOO_LONG = `Ensure this field has no more than ${USERNAME_MAX_LENGTH} characters.`;
export const EMAIL_INVALID = 'Enter a valid email address.';

/** Django's `AbstractBaseUser.normalize_username`. */
export function normalizeUsername(username: string): string {
  return username.normalize('NFKC');
}

/**
 * The uniqueness and lookup key (`users.username_key`): NFKC, full case
 * folding (Python's `unicodedata.normalize('NFKC', u).casefold()`), then NFKC
 * again. Case folding can leave a string unnormalised ('ǰ' folds to 'j' +
 * U+030C, 'ΐ' to three code points), so the last NFKC makes the key itself a
 * normalised string: canonically equivalent spellings give one key, which
 * `casefold(NFKC(u))` alone would not guarantee once marks were allowed.
 * For every username `isValidUsername` accepts it splits usernames into
 * exactly the same classes as Python's key (test/casefold.test.ts checks
 * every code point that folds); it is Unicode's NFKC_Casefold minus the
 * removal of default-ignorable code points, which the validator refuses.
 */
export function usernameKey(username: string): string {
  return casefold(normalizeUsername(username)).normalize('NFKC');
}

/**
 * The key edgeauth 0.1.0 stored: NFKC, then `toLowerCase()`. Rows keep it until
 * `npm run rekey-usernames` has run, so lookups try it too (see
 * `usernameLookupKeys`). Remove once every deployment has re-keyed.
 */
export function legacyUsernameKey(username: string): string {
  return normalizeUsername(username).toLowerCase();
}

/**
 * The keys a username is looked up by: the current key first, then the
 * legacy one when it differs. Any row either finds has the same current key
 * as `username` (`usernameKey(x.toLowerCase()) === usernameKey(x)`), so the
 * second key only reaches rows that are not re-keyed yet.
 */
export function usernameLookupKeys(username: string): [current: string, legacy: string] {
  return [usernameKey(username), legacyUsernameKey(username)];
}

export function isValidUsername(username: string): boolean {
  return /^[\p{L}\p{N}_.@+-]+$/u.test(username);
}

/**
 * Django's `UsernameField` then the model's validators: normalise (NFKC)
 * first, then check the length and the characters of the normalised value,
 * so that 150 × U+3316 (each NFKC-expands to six characters) is too long.
 * Returns the normalised username and the field errors (DRF's texts).
 */
export function cleanUsername(raw: string): { username: string; errors: string[] } {
  const username = normalizeUsername(raw);
  const errors: string[] = [];
  if ([...username].length > USERNAME_MAX_LENGTH) errors.push(USERNAME_TOO_LONG);
  if (!isValidUsername(username)) errors.push(USERNAME_INVALID);
  return { username, errors };
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
