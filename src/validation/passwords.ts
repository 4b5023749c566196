/**
 * @module validation/passwords
 * Django's four password validators, with Django's messages:
 * `UserAttributeSimilarityValidator`, `MinimumLengthValidator`,
 * `CommonPasswordValidator` and `NumericPasswordValidator`. Which run is the
 * `AUTH_PASSWORD_VALIDATORS` setting.
 *
 * Two additions, after NIST SP 800-63B §3.1.1.2 (refuse breached and
 * context-specific words): `CommonPasswordValidator` also consults the
 * breached-password filter (`breached.ts`), and
 * `UserAttributeSimilarityValidator` also refuses a password built on a word
 * of the username, the email address or `PASSWORD_CONTEXT_WORDS`.
 */
import type { AuthConfig } from '../config';
import type { PasswordValidatorName } from '../config/settings';
import { isBreachedPassword } from './breached';
import { COMMON_PASSWORDS_TEXT } from './common-passwords';
import { codePoints, listForm } from './list-form';

/** What the similarity check compares against, with Django's verbose names. */
export interface PasswordUserAttributes {
  username?: string;
  email?: string;
}

const VERBOSE_NAMES: Record<keyof PasswordUserAttributes, string> = {
  username: 'username',
  email: 'email address',
};

/** Django's `CommonPasswordValidator` message, also used for breached passwords. */
export const COMMON_PASSWORD_MESSAGE = 'This password is too common.';

type Validator = (password: string, user: PasswordUserAttributes, config: AuthConfig) => string[];

let commonPasswords: Set<string> | undefined;

/** Django's list, built on first use so that start-up does not pay for it. */
function isCommon(password: string): boolean {
  commonPasswords ??= new Set(COMMON_PASSWORDS_TEXT.split('\n'));
  return commonPasswords.has(listForm(password));
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

/** A word of at least this many characters counts when the password contains it. */
export const CONTAINED_WORD_MIN_LENGTH = 4;

/** Lower-cased letters and digits only: `E-d-g-e.Auth!` becomes `edgeauth`. */
function compact(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{M}\p{N}]+/gu, '');
}

/**
 * The words a password must not be built on: each run of letters in `value`
 * and the whole value without its symbols, when at least
 * {@link CONTAINED_WORD_MIN_LENGTH} long (`bob_1984` gives `bob1984`, not `bob`).
 */
function containedWords(value: string): string[] {
  const words = value.toLowerCase().match(/[\p{L}\p{M}]+/gu) ?? [];
  return [...words, compact(value)].filter((word) => codePoints(word) >= CONTAINED_WORD_MIN_LENGTH);
}

/**
 * Django's test (`quick_ratio` of the password against the value and each of
 * its parts reaches `PASSWORD_MAX_SIMILARITY`), or the password, without its
 * symbols, contains a word of the value: `Alice2026!` is built on `alice`.
 */
function isSimilar(password: string, value: string, maxSimilarity: number): boolean {
  const lowered = password.toLowerCase();
  const valueLower = value.toLowerCase();
  const parts = [...valueLower.split(/[^\p{L}\p{N}_]+/u), valueLower];
  const close = parts.some(
    (part) =>
      !exceedsMaximumLengthRatio(lowered, maxSimilarity, part) &&
      quickRatio(lowered, part) >= maxSimilarity,
  );
  if (close) return true;
  const bare = compact(password);
  return containedWords(value).some((word) => bare.includes(word));
}

const similarity: Validator = (password, user, config) => {
  for (const attribute of ['username', 'email'] as const) {
    const value = user[attribute];
    if (value && isSimilar(password, value, config.PASSWORD_MAX_SIMILARITY)) {
      return [`The password is too similar to the ${VERBOSE_NAMES[attribute]}.`];
    }
  }
  const word = config.PASSWORD_CONTEXT_WORDS.find((candidate) =>
    isSimilar(password, candidate, config.PASSWORD_MAX_SIMILARITY),
  );
  return word === undefined ? [] : [contextWordMessage(word)];
};

/** The message for a password built on one of `PASSWORD_CONTEXT_WORDS`. */
export function contextWordMessage(word: string): string {
  return `The password is too similar to "${word}", a word tied to this site.`;
}

const minimumLength: Validator = (password, _user, config) => {
  const min = config.PASSWORD_MIN_LENGTH;
  if (codePoints(password) >= min) return [];
  const unit = min === 1 ? 'character' : 'characters';
  return [`This password is too short. It must contain at least ${min} ${unit}.`];
};

const common: Validator = (password) =>
  isCommon(password) || isBreachedPassword(password) ? [COMMON_PASSWORD_MESSAGE] : [];

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
