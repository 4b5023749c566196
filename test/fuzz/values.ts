/**
 * @module fuzz/values
 * The small arbitraries every generator shares: secrets, pool references,
 * header-safe junk, strings that break validators, `next` payloads and JSON
 * of the wrong type.
 */
import fc from 'fast-check';
import type { Part, PoolKey, Text } from './model';

export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789'.split('');
export const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789'.split('');

export function chars(alphabet: readonly string[], min: number, max: number) {
  return fc.string({ unit: fc.constantFrom(...alphabet), minLength: min, maxLength: max });
}

/** A random secret-looking string (24 to 40 letters and digits): tracked, never to be echoed. */
export const secretText = chars(ALNUM, 24, 40);

export function secret(enc: 'raw' | 'json' | 'url' = 'raw'): fc.Arbitrary<Part> {
  return secretText.map((value) => ({ secret: value, enc }));
}

/** `arb` in `percent` % of the cases, else undefined (shrinks towards absent). */
export function maybe<T>(arb: fc.Arbitrary<T>, percent: number): fc.Arbitrary<T | undefined> {
  return fc.oneof(
    { weight: 100 - percent, arbitrary: fc.constant(undefined) },
    { weight: percent, arbitrary: arb },
  );
}

export function ref(key: PoolKey, enc: 'raw' | 'json' | 'url' = 'raw'): Part {
  return { ref: key, enc };
}

/**
 * `encodeURIComponent`, except that a lone surrogate (which it refuses)
 * becomes the three bytes a lax encoder would write: not UTF-8 at all.
 */
export function formEncode(value: string): string {
  let out = '';
  for (const char of value) {
    const code = char.codePointAt(0)!;
    if (code < 0xd800 || code > 0xdfff) {
      out += encodeURIComponent(char);
      continue;
    }
    for (const byte of [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)]) {
      out += `%${byte.toString(16).toUpperCase()}`;
    }
  }
  return out;
}

/** Printable ASCII, safe in a header value. */
export const asciiJunk = fc.string({ unit: 'grapheme-ascii', maxLength: 60 });

/** Rarely, bytes above 0x7F in a header (workerd sends them as UTF-8 and warns once each). */
export const headerJunk = fc.oneof(
  { weight: 30, arbitrary: asciiJunk },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 8 }) },
);

/** Strings that stress validators: NUL, lone surrogates, unicode, whitespace, length. */
export const nastyString = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.constantFrom(
    '',
    ' ',
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\ufeff',
    '\u3316'.repeat(150),
    'ß',
    'ΟΔΟΣ',
    '\u202e',
    'a'.repeat(151),
    'null',
    '<script>',
  ),
);

/** Open-redirect payloads and ordinary paths for `next`. */
export const nextValue = fc.constantFrom(
  '/app/',
  '/app/report.html?x=1#y',
  '//evil.example',
  '/\\evil.example',
  'https://evil.example/',
  '/%2F%2Fevil.example',
  '/.//evil.example',
  '/\tevil',
  'javascript:alert(1)',
  '/' + 'a'.repeat(3000),
  '',
);

/** A JSON value of the wrong type for any field. */
export const wrongTypeJson: fc.Arbitrary<Text> = fc
  .oneof(
    fc.constantFrom('1', '-1.5', '1e308', 'true', 'false', 'null', '[]', '["x"]', '{}', '{"a":1}'),
    fc.constantFrom('"\\ud800"', '"a\\u0000b"', '"\\udfff\\ud800"', '""', '"   "'),
    fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
    nastyString.map((value) => JSON.stringify(value)),
    fc.constantFrom(10, 1000, 10_000).map((n) => [
      { repeat: '[', times: n },
      { repeat: ']', times: n },
    ]),
  )
  .map((value): Text => (typeof value === 'string' ? [value] : value));
