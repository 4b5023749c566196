import { describe, expect, it } from 'vitest';
import { parseConfig } from '../src/config';
import { BloomFilter, murmur3 } from '../src/validation/bloom';
import { breachedPasswordFilter, isBreachedPassword } from '../src/validation/breached';
import { BREACHED_PASSWORDS } from '../src/validation/breached-passwords';
import { validatePassword } from '../src/validation/passwords';
import { testVars } from './helpers';

const common = parseConfig(testVars({ AUTH_PASSWORD_VALIDATORS: 'CommonPasswordValidator' }));

/** Entries of the source list (line numbers in it), spread over the filter's range. */
const LISTED = [
  ['17111985', 7127],
  ['Mailcreated5240', 2202],
  ['Turkey50', 3163],
  ['28021984', 10660],
  ['03121968', 89971],
  ['corsario', 174795],
  ['qwertyuiopas', 200935],
  ['turbonium', 255979],
  ['hotshot7', 302783],
  ['abrakodabra', 337626],
] as const;

/** A deterministic stream of 12-character lower-case alphanumeric strings (an LCG). */
function* randomPasswords(count: number, seed: number): Generator<string> {
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let state = seed >>> 0;
  for (let i = 0; i < count; i++) {
    let word = '';
    for (let j = 0; j < 12; j++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      word += alphabet[(state >>> 16) % 36];
    }
    yield word;
  }
}

describe('the offline breached-password list', () => {
  it('holds at least 100,000 passwords in at most 256 KiB', () => {
    expect(BREACHED_PASSWORDS.entries).toBeGreaterThanOrEqual(100_000);
    expect(breachedPasswordFilter().bytes.length).toBeLessThanOrEqual(256 * 1024);
  });

  it.each(LISTED)('finds %j (line %i of the source list)', (password) => {
    expect(isBreachedPassword(password)).toBe(true);
  });

  it('looks a password up in its list form: case and surrounding spaces do not matter', () => {
    expect(isBreachedPassword('QWERTYUIOPAS')).toBe(true);
    expect(isBreachedPassword('  QwertyUiopAS\t')).toBe(true);
    expect(isBreachedPassword('qwerty uiopas')).toBe(false);
  });

  it('never reports a password shorter than its shortest entry', () => {
    expect(BREACHED_PASSWORDS.minLength).toBe(8);
    expect(isBreachedPassword('1234567')).toBe(false);
  });

  it('refuses a breached password with Django\'s "too common" message', () => {
    expect(validatePassword('qwertyuiopas', {}, common)).toEqual(['This password is too common.']);
    expect(validatePassword('Abrakodabra', {}, common)).toEqual(['This password is too common.']);
    expect(validatePassword('violet sunrise over granite', {}, common)).toEqual([]);
  });

  it('reports at most 1 in 1,000 random non-members (measured on 200,000), in microseconds each', () => {
    const samples = 200_000;
    let hits = 0;
    const started = performance.now();
    for (const password of randomPasswords(samples, 20_260_101)) {
      if (isBreachedPassword(password)) hits++;
    }
    const micros = ((performance.now() - started) * 1000) / samples;
    const rate = hits / samples;
    console.log(
      `breached-password filter: ${hits} false positives in ${samples} (1 in ${Math.round(1 / rate)}), ` +
        `${micros.toFixed(2)} µs per check`,
    );
    expect(rate).toBeLessThanOrEqual(1 / 1000);
    expect(hits).toBeGreaterThan(0); // the measurement is real: a Bloom filter does err
  });
});

describe('the Bloom filter', () => {
  it('hashes with MurmurHash3 x86_32 (reference vectors)', () => {
    const bytes = (text: string) => new TextEncoder().encode(text);
    expect(murmur3(bytes(''), 1)).toBe(0x514e28b7);
    expect(murmur3(bytes('test'), 0)).toBe(0xba6bd213);
    expect(murmur3(bytes('Hello, world!'), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3(bytes('The quick brown fox jumps over the lazy dog'), 0x9747b28c)).toBe(
      0x2fa826cd,
    );
  });

  it('finds every entry it was built from, across the whole bit range', () => {
    const entries = Array.from({ length: 5_000 }, (_, i) => `entry-${i}-é😀`);
    const filter = BloomFilter.build(entries, { bits: 96_000, hashes: 7, seed: 42 });
    expect(entries.every((entry) => filter.has(entry))).toBe(true);
    expect(filter.has('not an entry')).toBe(false);
  });

  it('refuses bytes that do not fit its parameters', () => {
    expect(() => new BloomFilter(new Uint8Array(10), { bits: 64, hashes: 3, seed: 1 })).toThrow(
      /expected 8 bytes/,
    );
    expect(() => BloomFilter.build([], { bits: 12, hashes: 3, seed: 1 })).toThrow(/multiple of 8/);
  });
});
