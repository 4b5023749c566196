/**
 * @module validation/bloom
 * A Bloom filter over UTF-8 strings: `bits` bits, `hashes` probes per entry,
 * positions by double hashing (Kirsch and Mitzenmacher, "Less hashing, same
 * performance", 2006) of two MurmurHash3 (x86, 32-bit) values. A member is
 * always found; a non-member is reported as a member with a probability of
 * about `(1 - e^(-hashes·entries/bits))^hashes`.
 *
 * The build script (`scripts/breached-passwords/`) and the Worker use this one
 * file, so the filter is read with the very hashing that wrote it.
 *
 * @example
 * const filter = BloomFilter.build(['hunter22'], { bits: 1024, hashes: 7, seed: 1 });
 * filter.has('hunter22'); // true
 */

/** The shape of a filter; changing any of these invalidates every built filter. */
export interface BloomParameters {
  /** Size in bits, a multiple of 8. */
  bits: number;
  /** Probes per entry. */
  hashes: number;
  /** Seed of the first hash; the second uses `seed ^ SECOND_SEED`. */
  seed: number;
}

const SECOND_SEED = 0x9e37_79b9;
const encoder = new TextEncoder();

/** MurmurHash3 x86_32 (Austin Appleby, public domain) of `bytes`, as an unsigned integer. */
export function murmur3(bytes: Uint8Array, seed: number): number {
  const c1 = 0xcc9e_2d51;
  const c2 = 0x1b87_3593;
  let h = seed >>> 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    let k = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe654_6b64) | 0;
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k |= bytes[blocks + 1]! << 8;
    if (tail > 2) k |= bytes[blocks + 2]! << 16;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, c2);
  }
  h ^= bytes.length;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85eb_ca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2_ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function checkParameters(params: BloomParameters, byteLength?: number): void {
  const { bits, hashes } = params;
  if (!Number.isInteger(bits) || bits <= 0 || bits % 8 !== 0) {
    throw new RangeError('a Bloom filter has a positive multiple of 8 bits');
  }
  if (!Number.isInteger(hashes) || hashes < 1 || hashes > 32) {
    throw new RangeError('a Bloom filter has 1 to 32 hashes');
  }
  if (byteLength !== undefined && byteLength !== bits / 8) {
    throw new RangeError(`expected ${bits / 8} bytes of filter, got ${byteLength}`);
  }
}

export class BloomFilter {
  readonly params: Readonly<BloomParameters>;
  readonly #bytes: Uint8Array;

  /** Wraps bytes built by {@link BloomFilter.build} with the same parameters. */
  constructor(bytes: Uint8Array, params: BloomParameters) {
    checkParameters(params, bytes.length);
    this.#bytes = bytes;
    this.params = Object.freeze({ ...params });
  }

  /** A filter holding every string of `entries`. */
  static build(entries: Iterable<string>, params: BloomParameters): BloomFilter {
    checkParameters(params);
    const filter = new BloomFilter(new Uint8Array(params.bits / 8), params);
    for (const entry of entries) filter.#probe(entry, true);
    return filter;
  }

  /** True for every entry; true for a non-member with the filter's false-positive rate. */
  has(entry: string): boolean {
    return this.#probe(entry, false);
  }

  /** The filter's bytes, to store. */
  get bytes(): Uint8Array {
    return this.#bytes;
  }

  /** Sets (when `set`) or tests the entry's bits; true when all were already set. */
  #probe(entry: string, set: boolean): boolean {
    const data = encoder.encode(entry);
    const { bits, hashes, seed } = this.params;
    const h1 = murmur3(data, seed);
    // An odd step is never 0 (every probe on one bit); `>>> 0` keeps it unsigned.
    const h2 = (murmur3(data, (seed ^ SECOND_SEED) >>> 0) | 1) >>> 0;
    let all = true;
    for (let i = 0; i < hashes; i++) {
      const position = (h1 + i * h2) % bits;
      const mask = 1 << (position & 7);
      const index = position >>> 3;
      if ((this.#bytes[index]! & mask) === 0) {
        all = false;
        if (!set) return false;
        this.#bytes[index] = this.#bytes[index]! | mask;
      }
    }
    return all;
  }
}
