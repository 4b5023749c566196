/**
 * Full case folding against its oracle, Python's `str.casefold()` (the
 * fixture is every code point Python 3.11 changes: `python3
 * scripts/casefold-python-fixture.py`), and the username key built on it.
 */
import { describe, expect, it } from 'vitest';
import python from './fixtures/python-casefold.json';
import { casefold } from '../src/validation/casefold';
import { isValidUsername, usernameKey } from '../src/validation/username';

const fromHex = (hex: string) =>
  String.fromCodePoint(...hex.split(' ').map((h) => parseInt(h, 16)));

/** Cased letters that Unicode 15 to 17 added (Python 3.11 knows Unicode 14 only). */
const NEWER = [
  [0x1c89, 0x1c89],
  [0xa7cb, 0xa7cc],
  [0xa7ce, 0xa7ce],
  [0xa7d2, 0xa7d2],
  [0xa7d4, 0xa7d4],
  [0xa7da, 0xa7da],
  [0xa7dc, 0xa7dc],
  [0x10d50, 0x10d65],
  [0x16ea0, 0x16eb8],
];

function* allCodePoints(): Generator<number> {
  for (let cp = 0; cp <= 0x10ffff; cp += 1) if (cp < 0xd800 || cp > 0xdfff) yield cp;
}

describe('casefold', () => {
  it("folds every code point exactly as Python's str.casefold() does", () => {
    const entries = Object.entries(python.casefold);
    expect(entries).toHaveLength(1530);
    const wrong = entries.filter(([from, to]) => casefold(fromHex(from)) !== fromHex(to));
    expect(wrong).toEqual([]);
  });

  it('changes no other code point but the cased letters Unicode 15 to 17 added', () => {
    const extra: number[] = [];
    for (const cp of allCodePoints()) {
      const char = String.fromCodePoint(cp);
      if (casefold(char) !== char && !(cp.toString(16).toUpperCase() in python.casefold)) {
        extra.push(cp);
      }
    }
    const expected = NEWER.flatMap(([from, to]) =>
      Array.from({ length: to! - from! + 1 }, (_, i) => from! + i),
    );
    expect(extra).toEqual(expected);
  });

  it('folds ß to ss, final sigma to sigma, ligatures, dotted I and astral letters', () => {
    expect(casefold('Straße')).toBe('strasse');
    expect(casefold('ẞ')).toBe('ss');
    expect(casefold('ΟΔΟΣ')).toBe('οδοσ');
    expect(casefold('οδος')).toBe('οδοσ');
    expect(casefold('ﬃ')).toBe('ffi');
    expect(casefold('İ')).toBe('i\u0307');
    expect(casefold('ı')).toBe('ı'); // no Turkic mappings, as in Python
    expect(casefold('\u212a')).toBe('k'); // KELVIN SIGN
    expect(casefold('ꭰ')).toBe('Ꭰ'); // Cherokee folds to upper case
    expect(casefold('\u{10400}')).toBe('\u{10428}'); // Deseret, outside the BMP
    expect(casefold('ΐ')).toBe('\u03b9\u0308\u0301');
  });
});

describe('usernameKey', () => {
  it('makes οδος, οδοσ and ΟΔΟΣ one username, and straße, STRASSE and Strasse another', () => {
    expect(new Set(['οδος', 'οδοσ', 'ΟΔΟΣ'].map(usernameKey))).toEqual(new Set(['οδοσ']));
    expect(new Set(['straße', 'STRASSE', 'Strasse'].map(usernameKey))).toEqual(
      new Set(['strasse']),
    );
    expect(usernameKey('ﬁona')).toBe('fiona');
    expect(usernameKey('ı')).not.toBe(usernameKey('i'));
  });

  it('is itself NFKC-normalised, where casefold(NFKC(u)) alone is not', () => {
    expect(casefold('ǰ')).toBe('j\u030c');
    expect(usernameKey('ǰ')).toBe('ǰ');
    expect(usernameKey('ǰ').normalize('NFKC')).toBe(usernameKey('ǰ'));
  });

  it("splits every valid username character into the same classes as Python's casefold(NFKC(u)), and is stable under toLowerCase()", () => {
    // Python's key and ours differ only by the final NFKC: check that it never
    // joins two characters Python keeps apart. The legacy lookup relies on
    // key(lower(x)) = key(x) and key(key(x)) = key(x).
    const pythonKeyOf = new Map<string, string>();
    const problems: string[] = [];
    for (const cp of allCodePoints()) {
      const char = String.fromCodePoint(cp).normalize('NFKC');
      if (!isValidUsername(char)) continue;
      const key = usernameKey(char);
      const pythonKey = casefold(char);
      const seen = pythonKeyOf.get(key);
      if (seen !== undefined && seen !== pythonKey) problems.push(`U+${cp.toString(16)} joins`);
      pythonKeyOf.set(key, pythonKey);
      if (usernameKey(char.toLowerCase()) !== key) problems.push(`U+${cp.toString(16)} lower`);
      if (usernameKey(key) !== key) problems.push(`U+${cp.toString(16)} idempotent`);
    }
    expect(pythonKeyOf.size).toBeGreaterThan(100_000);
    expect(problems).toEqual([]);
  });
});
