/**
 * The argon2id cases both checks of the module run (test/argon2-wasm.test.ts
 * in workerd, vectors.ts on a rebuilt module): the reference CLI's vectors,
 * and random inputs whose sizes and parameters cover lanes 1 to 4, 1 to 3
 * passes and output lengths from 4 to 59 bytes, compared with @noble/hashes.
 * Web APIs only, so that it runs in both places.
 */
import vectors from './vectors.json';

export const CLI_VECTORS = vectors.vectors;

/** How many random cases a check runs. */
export const RANDOM_CASES = 12;

/** Random case `i` (0 ≤ i < RANDOM_CASES): fresh random bytes each call. */
export function randomCase(i: number) {
  const parallelism = 1 + (i % 4);
  return {
    password: crypto.getRandomValues(new Uint8Array(i * 9)),
    salt: crypto.getRandomValues(new Uint8Array(8 + i)),
    params: {
      memoryKiB: 8 * parallelism * (1 + i),
      iterations: 1 + (i % 3),
      parallelism,
      hashLength: 4 + i * 5,
    },
  };
}
