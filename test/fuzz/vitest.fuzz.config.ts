/**
 * `npm run fuzz`: the fuzz test alone, with 10,000 cases and a random seed
 * unless `FUZZ_SEED`, `FUZZ_RUNS` (and `FUZZ_PATH`, to replay a shrunk
 * counterexample) say otherwise. The tests run inside workerd, where the
 * shell's environment does not reach, so the values travel as bindings.
 */
import { defineConfig } from 'vitest/config';
import { workersRuntime } from '../../vitest.config.ts';

const seed = process.env.FUZZ_SEED ?? String(Math.floor(Math.random() * 2 ** 31));
const runs = process.env.FUZZ_RUNS ?? '10000';
const path = process.env.FUZZ_PATH;

console.log(`fuzz: seed ${seed}, ${runs} cases${path ? `, path ${path}` : ''}`);

export default defineConfig(async () => ({
  plugins: [
    await workersRuntime({
      FUZZ_SEED: seed,
      FUZZ_RUNS: runs,
      ...(path === undefined ? {} : { FUZZ_PATH: path }),
    }),
  ],
  test: {
    include: ['test/fuzz/**/*.test.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 20_000,
  },
}));
