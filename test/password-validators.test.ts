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
    it('refuses a password built on the username, whatever digits and symbols surround it', () => {
      expect(validatePassword('Alice2026!', { username: 'alice' }, similar)).toEqual([
        'The password is too similar to the username.',
      ]);
      expect(validatePassword('2026-a.l.i.c.e-rules', { username: 'Alice_77' }, similar)).toEqual([
        'The password is too similar to the username.',
      ]);
    });
    it('refuses a password built on the local part or a domain label of the email', () => {
      const email = 'jane.doe@contoso.com';
      expect(validatePassword('Contoso-rocks-2026', { email }, similar)).toEqual([
        'The password is too similar to the email address.',
      ]);
      expect(validatePassword('purple-JANE-sunset-9', { email }, similar)).toEqual([
        'The password is too similar to the email address.',
      ]);
    });
    it('ignores words shorter than 4 characters and runs of digits alone', () => {
      expect(
        validatePassword(
          'the-bob-and-doe-builders',
          { username: 'bob', email: 'doe@x.io' },
          similar,
        ),
      ).toEqual([]);
      expect(validatePassword('violet-1984-sunrise', { username: 'bob_1984' }, similar)).toEqual(
        [],
      );
    });
    it('refuses a password built on a PASSWORD_CONTEXT_WORDS word, "edgeauth" by default', () => {
      expect(config.PASSWORD_CONTEXT_WORDS).toEqual(['edgeauth']);
      const message = 'The password is too similar to "edgeauth", a word tied to this site.';
      expect(validatePassword('edgeauth2026', {}, similar)).toEqual([message]);
      expect(validatePassword('My-Edge.Auth_password!', {}, similar)).toEqual([message]);
    });
    it('takes its context words from PASSWORD_CONTEXT_WORDS, and none from an empty list', () => {
      const acme = only('UserAttributeSimilarityValidator', {
        PASSWORD_CONTEXT_WORDS: '["Acme Rockets", "edgeauth"]',
      });
      expect(validatePassword('rockets-to-the-moon-7', {}, acme)).toEqual([
        'The password is too similar to "Acme Rockets", a word tied to this site.',
      ]);
      const none = only('UserAttributeSimilarityValidator', { PASSWORD_CONTEXT_WORDS: '[]' });
      expect(validatePassword('edgeauth2026', {}, none)).toEqual([]);
    });
    it('names the user attribute before a context word', () => {
      expect(validatePassword('alice-edgeauth', { username: 'alice' }, similar)).toEqual([
        'The password is too similar to the username.',
      ]);
    });
    it("matches difflib's quick_ratio", () => {
      expect(quickRatio('abcd', 'bcde')).toBeCloseTo(0.75);
      expect(quickRatio('', '')).toBe(1);
      expect(quickRatio('aaa', 'a')).toBeCloseTo(0.5);
    });
    it('follows PASSWORD_MAX_SIMILARITY', () => {
      const strict = only('UserAttributeSimilarityValidator', { PASSWORD_MAX_SIMILARITY: 0.3 });
      expect(validatePassword('alexander-the-great', { username: 'alexis' }, similar)).toEqual([]);
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
