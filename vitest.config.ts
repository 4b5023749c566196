import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';

/**
 * Tests run inside workerd (the Workers runtime) with real local D1 and KV
 * from miniflare, configured from wrangler.toml. Password hashing is cheap
 * here through settings; tests that need OWASP's parameters build their own
 * app with the defaults. The Worker's outbound requests (only the optional
 * Pwned Passwords check makes any) go to a fake of that API, an auxiliary
 * Worker (test/fake-hibp/worker.js).
 */
export default defineConfig(async () => {
  const migrations = await readD1Migrations('./migrations');
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: './wrangler.toml' },
        miniflare: {
          // Explicit, so that a developer's .dev.vars never changes what the tests see.
          bindings: {
            ENVIRONMENT: 'production',
            TEST_MIGRATIONS: migrations,
            SECRET_KEY: 'test-only-secret-key-0123456789-abcdefghijklmnop',
            PASSWORD_ARGON2_MEMORY_KIB: '64',
            PASSWORD_ARGON2_ITERATIONS: '1',
          },
          outboundService: 'fake-hibp',
          workers: [
            {
              name: 'fake-hibp',
              modules: true,
              scriptPath: './test/fake-hibp/worker.js',
              compatibilityDate: '2026-11-01',
            },
          ],
        },
      }),
    ],
    test: {
      include: ['test/**/*.test.ts'],
      setupFiles: ['./test/apply-migrations.ts'],
      testTimeout: 20_000,
    },
  };
});
