import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { COMMON_PASSWORDS_TEXT } from '../src/validation/common-passwords';
import { quickRatio, validatePassword } from '../src/validation/passwords';
import { testVars } from './helpers';

const config = parseConfig(testVars());
const only = (validator: string, extra: Record<string, unknown> = {}) =>
  parseConfig(testVars({ AUTH_PASSWORD_VALIDATORS: validator, ...extra }));

describe("Django's password validators", () => {
  it('accept a long, unusual passphrase', () => {
    expect(validatePassword('correct horse battery staple', { username: 'alice' }, config)).toEqual(
      [],
    );
  });

  describe('MinimumLengthValidator', () => {
    const min = only('MinimumLengthValidator');
    it('counts characters, not bytes or UTF-16 units', () => {
      expect(validatePassword('😀😀😀😀😀😀😀😀', {}, min)).toEqual([]);
      expect(validatePassword('😀😀😀😀😀😀😀', {}, min)).toEqual([
        'This password is too short. It must contain at least 8 characters.',
      ]);
    });
    it('uses the singular for a minimum of one', () => {
      const one = only('MinimumLengthValidator', { PASSWORD_MIN_LENGTH: 1 });
      expect(validatePassword('', {}, one)).toEqual([
        'This password is too short. It must contain at least 1 character.',
      ]);
    });
  });

  describe('CommonPasswordValidator', () => {
    const common = only('CommonPasswordValidator');
    it('ships at least 10,000 common passwords', () => {
      expect(new Set(COMMON_PASSWORDS_TEXT.split('\n')).size).toBeGreaterThanOrEqual(10_000);
    });
    it.each(['password', 'Password', ' PASSWORD ', 'qwerty', 'iloveyou', 'letmein', 'dragon'])(
      'refuses %j',
      (password) => {
        expect(validatePassword(password, {}, common)).toEqual(['This password is too common.']);
      },
    );
  });

  describe('NumericPasswordValidator', () => {
    const numeric = only('NumericPasswordValidator');
    it('refuses digits only, in any script', () => {
      expect(validatePassword('8675309123', {}, numeric)).toEqual([
        'This password is entirely numeric.',
      ]);
      expect(validatePassword('٣٤٥٦٧٨٩٠', {}, numeric)).toEqual([
        'This password is entirely numeric.',
      ]);
      expect(validatePassword('8675309x', {}, numeric)).toEqual([]);
    });
  });

  describe('UserAttributeSimilarityValidator', () => {
    const similar = only('UserAttributeSimilarityValidator');
    it('refuses a password close to the username or to a part of the email', () => {
      expect(validatePassword('Aleksandra1', { username: 'aleksandra' }, similar)).toEqual([
        'The password is too similar to the username.',
      ]);
      expect(
        validatePassword('ProfessorPlum', { email: 'professor.plum@example.com' }, similar),
      ).toEqual(['The password is too similar to the email address.']);
    });
    it('accepts an unrelated password', () => {
      expect(
        validatePassword(
          'violet sunrise over granite',
          { username: 'bob', email: 'bob@example.com' },
          similar,
        ),
      ).toEqual([]);
    });
    it("matches difflib's quick_ratio", () => {
      expect(quickRatio('abcd', 'bcde')).toBeCloseTo(0.75);
      expect(quickRatio('', '')).toBe(1);
      expect(quickRatio('aaa', 'a')).toBeCloseTo(0.5);
    });
    it('follows PASSWORD_MAX_SIMILARITY', () => {
      const strict = only('UserAttributeSimilarityValidator', { PASSWORD_MAX_SIMILARITY: 0.3 });
      expect(validatePassword('alexander-the-great', { username: 'alex' }, similar)).toEqual([]);
      expect(validatePassword('alexander-great', { username: 'alexandra' }, strict)).toHaveLength(
        1,
      );
    });
  });

  it('runs none when AUTH_PASSWORD_VALIDATORS is empty', () => {
    const none = parseConfig(testVars({ AUTH_PASSWORD_VALIDATORS: '[]' }));
    expect(validatePassword('1', { username: '1' }, none)).toEqual([]);
  });
});
