import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * The Workers runtime for the tests, with real local D1 and KV from
 * miniflare, configured from wrangler.toml. Password hashing is cheap here
 * through settings; tests that need OWASP's parameters build their own app
 * with the defaults. `extra` adds bindings (the fuzz configuration passes its
 * seed and case count this way, since the tests run inside workerd).
 */
export async function workersRuntime(extra: Record<string, string> = {}) {
  const migrations = await readD1Migrations('./migrations');
  return cloudflareTest({
    wrangler: { configPath: './wrangler.toml' },
    miniflare: {
      // Explicit, so that a developer's .dev.vars never changes what the tests see.
      bindings: {
        ENVIRONMENT: 'production',
        TEST_MIGRATIONS: migrations,
        SECRET_KEY: 'test-only-secret-key-0123456789-abcdefghijklmnop',
        PASSWORD_ARGON2_MEMORY_KIB: '64',
        PASSWORD_ARGON2_ITERATIONS: '1',
        ...extra,
      },
    },
  });
}

/** Tests run inside workerd (the Workers runtime); `npm run fuzz` has its own config. */
export default defineConfig(async () => ({
  plugins: [await workersRuntime()],
  test: {
    include: ['test/**/*.test.ts'],
    setupFiles: ['./test/apply-migrations.ts'],
    testTimeout: 20_000,
  },
}));
