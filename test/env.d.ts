import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { Bindings } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      SECRET_KEY: string;
      /** test/fixtures/site behind the asset router, as an `ASSETS` binding would serve it. */
      TEST_SITE_ASSETS: Fetcher;
      /** miniflare's local `send_email` binding, allowed to send to ada@mail.test only. */
      EMAIL: SendEmail;
      /** `npm run fuzz` (test/fuzz/vitest.fuzz.config.ts): seed, case count, counterexample path. */
      FUZZ_SEED?: string;
      FUZZ_RUNS?: string;
      FUZZ_PATH?: string;
    }
  }
}
