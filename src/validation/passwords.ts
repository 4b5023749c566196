/**
 * @module validation/passwords
 * Django's four password validators, with Django's messages:
 * `UserAttributeSimilarityValidator`, `MinimumLengthValidator`,
 * `CommonPasswordValidator` and `NumericPasswordValidator`. Which run is the
 * `AUTH_PASSWORD_VALIDATORS` setting.
 */
import type { AuthConfig } from '../config';
import type { PasswordValidatorName } from '../config/settings';
import { COMMON_PASSWORDS_TEXT } from './common-passwords';

/** What the similarity check compares against, with Django's verbose names. */
export interface PasswordUserAttributes {
  username?: string;
  email?: string;
}

const VERBOSE_NAMES: Record<keyof PasswordUserAttributes, string> = {
  username: 'username',
  email: 'email address',
};

type Validator = (password: string, user: PasswordUserAttributes, config: AuthConfig) => string[];

let commonPasswords: Set<string> | undefined;

/** Built on first use so that start-up does not pay for it. */
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS_TEXT.split('\n'));
  return commonPasswords.has(password.toLowerCase().trim());
}

/** Python's `len()`: code points, not UTF-16 units. */
function codePoints(text: string): number {
  let count = 0;
  for (const _ of text) count++;
  return count;
}

/** difflib's `SequenceMatcher(a, b).quick_ratio()`: an upper bound on similarity. */
export function quickRatio(a: string, b: string): number {
  const available = new Map<string, number>();
  for (const char of b) available.set(char, (available.get(char) ?? 0) + 1);
  let matches = 0;
  for (const char of a) {
    const left = available.get(char) ?? 0;
    if (left > 0) {
      matches++;
      available.set(char, left - 1);
    }
  }
  const total = codePoints(a) + codePoints(b);
  return total === 0 ? 1 : (2 * matches) / total;
}

/** Django skips values so much shorter than the password that they cannot be similar. */
function exceedsMaximumLengthRatio(password: string, maxSimilarity: number, value: string) {
  const passwordLength = codePoints(password);
  const valueLength = codePoints(value);
  return passwordLength >= 10 * valueLength && valueLength < (maxSimilarity / 2) * passwordLength;
}

const similarity: Validator = (password, user, config) => {
  const lowered = password.toLowerCase();
  for (const attribute of ['username', 'email'] as const) {
    const value = user[attribute];
    if (!value) continue;
    const valueLower = value.toLowerCase();
    const parts = [...valueLower.split(/[^\p{L}\p{N}_]+/u), valueLower];
    const similar = parts.some(
      (part) =>
        !exceedsMaximumLengthRatio(lowered, config.PASSWORD_MAX_SIMILARITY, part) &&
        quickRatio(lowered, part) >= config.PASSWORD_MAX_SIMILARITY,
    );
    if (similar) return [`The password is too similar to the ${VERBOSE_NAMES[attribute]}.`];
  }
  return [];
};

const minimumLength: Validator = (password, _user, config) => {
  const min = config.PASSWORD_MIN_LENGTH;
  if (codePoints(password) >= min) return [];
  const unit = min === 1 ? 'character' : 'characters';
  return [`This password is too short. It must contain at least ${min} ${unit}.`];
};

const common: Validator = (password) =>
  isCommon(password) ? ['This password is too common.'] : [];

const numeric: Validator = (password) =>
  /^\p{Nd}+$/u.test(password) ? ['This password is entirely numeric.'] : [];

const VALIDATORS: Record<PasswordValidatorName, Validator> = {
  UserAttributeSimilarityValidator: similarity,
  MinimumLengthValidator: minimumLength,
  CommonPasswordValidator: common,
  NumericPasswordValidator: numeric,
};

/**
 * Runs the configured validators and returns every message (Django reports
 * all failures at once), or an empty list when the password is acceptable.
 *
 * @example
 * validatePassword('12345678', { username: 'alice' }, config)
 * // ['This password is too common.', 'This password is entirely numeric.']
 */
export function validatePassword(
  password: string,
  user: PasswordUserAttributes,
  config: AuthConfig,
): string[] {
  return config.AUTH_PASSWORD_VALIDATORS.flatMap((name) =>
    VALIDATORS[name](password, user, config),
  );
}
