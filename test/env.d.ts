import type { D1Migration } from '@cloudflare/vitest-plugin';
import type { Bindings } from '../src/env';

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      SECRET_KEY: string;
      /** test/fixtures/site behind the asset router, as an `ASSETS` binding would serve it. */
      TEST_SITE_ASSETS: Fetcher;
    }
  }
}
